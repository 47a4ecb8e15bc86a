"""Rasa custom actions: thin adapters from the dialogue to :mod:`payhelp`.

The action server imports this package and registers every action in it.
"""
