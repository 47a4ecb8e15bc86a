"""The NLU building blocks: the NumPy MiniLM encoder and the blended classifier."""

from __future__ import annotations

import numpy as np
import pytest

from addons.embedding_classifier import blend_probabilities
from payhelp.nlu.encoder import SentenceEncoder


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder()


def test_the_encoder_matches_sentence_transformers(encoder: SentenceEncoder) -> None:
    # sentence-transformers' documented all-MiniLM-L6-v2 similarity for this pair: 0.7553
    a, b = encoder.encode(["A man is eating food.", "A man is eating a piece of bread."])
    assert float(a @ b) == pytest.approx(0.7553, abs=5e-4)


def test_embeddings_are_unit_length_and_meaningful(encoder: SentenceEncoder) -> None:
    declined, rejected, weather = encoder.encode(
        ["my card was declined", "the payment got rejected", "what's the weather tomorrow"]
    )
    assert np.linalg.norm(declined) == pytest.approx(1.0, abs=1e-5)
    assert declined @ rejected > declined @ weather + 0.3


def test_empty_and_long_inputs(encoder: SentenceEncoder) -> None:
    assert encoder.encode([]).shape == (0, 384)
    assert encoder.encode(["", "x " * 5000]).shape == (2, 384)


def test_blend_combines_regression_and_neighbours() -> None:
    memory = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    labels = np.array([0, 1])
    weights = np.array([[0.0, 0.0], [0.0, 0.0]])  # an indifferent regression
    bias = np.zeros(2)
    query = np.array([[0.96, 0.28]], dtype=np.float32)
    config = {"lr_scale": 1.0, "k": 2, "temperature": 0.05, "blend": 0.5}
    probabilities = blend_probabilities(query, weights, bias, memory, labels, 2, config)[0]
    assert probabilities.sum() == pytest.approx(1.0)
    assert probabilities[0] == pytest.approx(0.75, abs=0.01)  # half regression, half neighbours
    only_regression = blend_probabilities(
        query, weights, bias, memory, labels, 2, {**config, "blend": 1.0}
    )[0]
    assert only_regression == pytest.approx([0.5, 0.5])
