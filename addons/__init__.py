"""Code the Rasa server loads: the masking REST channel (credentials.yml), the SQL
tracker store (endpoints.yml), the sentence-embedding featurizer (config.yml), and a
speed fix for Rasa itself."""
