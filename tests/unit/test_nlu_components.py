"""The NLU building blocks: the two encoders, the per-language routing and the classifier."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from addons.embedding_classifier import blend_probabilities
from payhelp.nlu.encoder import (
    CACHE_ENV,
    MultilingualEncoder,
    SentenceEncoder,
    bundled_model_dir,
    graph_file,
)

PAIR = ["A man is eating food.", "A man is eating a piece of bread."]


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder()


def test_the_graph_computes_all_minilm_l6_v2() -> None:
    # sentence-transformers' documented all-MiniLM-L6-v2 similarity for this pair: 0.7553
    a, b = SentenceEncoder(quantize=False).encode(PAIR)
    assert float(a @ b) == pytest.approx(0.7553, abs=5e-4)


def test_the_int8_graph_stays_close_to_the_float_one(encoder: SentenceEncoder) -> None:
    texts = ["my card was declined", "where is my refund", "no", "ORD-10002"]
    exact = SentenceEncoder(quantize=False).encode(texts)
    quantized = encoder.encode(texts)
    assert np.einsum("ij,ij->i", exact, quantized).min() > 0.97
    a, b = encoder.encode(PAIR)
    assert float(a @ b) == pytest.approx(0.7553, abs=0.02)


def test_the_multilingual_encoder_understands_chinese() -> None:
    failed, failed_en, limit, weather = MultilingualEncoder().encode(
        ["我的付款失败了", "my payment failed", "花呗额度怎么提升", "今天天气怎么样"]
    )
    assert np.linalg.norm(failed) == pytest.approx(1.0, abs=1e-5)
    assert failed @ failed_en > failed @ weather + 0.3  # across languages
    assert failed @ limit < failed @ failed_en


def test_embeddings_are_unit_length_and_meaningful(encoder: SentenceEncoder) -> None:
    declined, rejected, weather = encoder.encode(
        ["my card was declined", "the payment got rejected", "what's the weather tomorrow"]
    )
    assert np.linalg.norm(declined) == pytest.approx(1.0, abs=1e-5)
    assert declined @ rejected > declined @ weather + 0.3


def test_empty_and_long_inputs(encoder: SentenceEncoder) -> None:
    assert encoder.encode([]).shape == (0, 384)
    assert encoder.encode(["", "x " * 5000]).shape == (2, 384)
    assert MultilingualEncoder().encode(["", "付" * 5000]).shape == (2, 512)


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


def test_the_graph_is_built_once_then_read_from_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    first = graph_file(bundled_model_dir(), quantize=True)
    built_at = first.stat().st_mtime_ns
    assert graph_file(bundled_model_dir(), quantize=True) == first
    assert first.stat().st_mtime_ns == built_at  # not rebuilt
    assert [p.name for p in tmp_path.iterdir()] == [first.name]  # no partial file left
    assert graph_file(bundled_model_dir(), quantize=False) != first
    vector = SentenceEncoder().encode(["my card was declined"])
    assert vector.shape == (1, 384)
