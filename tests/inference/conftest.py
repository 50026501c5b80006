"""Tiny hermetic artifacts for runtime tests, built without torch.

The graph is written with ``onnx.helper`` (a test-only dependency): embeddings -> masked mean ->
linear -> softmax, the same signature as an exported intent head. Each class owns a few words,
so predictions are predictable: "invoice refund" is billing, "pizza" is out of scope.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

from frontdesk.manifest import SCHEMA_VERSION, write_artifact

CLASS_WORDS = {
    "billing": ["invoice", "refund", "charge", "payment", "bill"],
    "greeting": ["hello", "hi", "thanks", "morning"],
    "oos": ["pizza", "flight", "alarm", "lights"],
    "weather": ["rain", "sunny", "forecast", "snow"],
}
LABELS = sorted(CLASS_WORDS)


def _tokenizer() -> tuple[Tokenizer, dict[str, int]]:
    vocab = {"[PAD]": 0, "[UNK]": 1}
    for words in CLASS_WORDS.values():
        for w in words:
            vocab[w] = len(vocab)
    for w in ("the", "my", "please", "what", "is", "a"):
        vocab[w] = len(vocab)
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    return tok, vocab


def _graph(vocab: dict[str, int], n_out: int) -> onnx.ModelProto:
    n = len(LABELS)
    table = np.zeros((len(vocab), n), np.float32)
    for c, label in enumerate(LABELS):
        for w in CLASS_WORDS[label]:
            table[vocab[w], c] = 4.0
    weights = np.eye(n, n_out, dtype=np.float32)
    inits = [
        numpy_helper.from_array(table, "E"),
        numpy_helper.from_array(weights, "W"),
        numpy_helper.from_array(np.zeros(n_out, np.float32), "b"),
        numpy_helper.from_array(np.array([1], np.int64), "axis1"),
        numpy_helper.from_array(np.array([-1], np.int64), "last"),
        numpy_helper.from_array(np.array(1.0, np.float32), "one"),
    ]
    nodes = [
        helper.make_node("Gather", ["E", "input_ids"], ["emb"]),
        helper.make_node("Cast", ["attention_mask"], ["maskf"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["maskf", "last"], ["mask3"]),
        helper.make_node("Mul", ["emb", "mask3"], ["masked"]),
        helper.make_node("ReduceSum", ["masked", "axis1"], ["summed"], keepdims=0),
        helper.make_node("ReduceSum", ["mask3", "axis1"], ["count"], keepdims=0),
        helper.make_node("Max", ["count", "one"], ["count1"]),
        helper.make_node("Div", ["summed", "count1"], ["pooled"]),
        helper.make_node("MatMul", ["pooled", "W"], ["logits0"]),
        helper.make_node("Add", ["logits0", "b"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["probabilities"], axis=-1),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny-intent",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
            helper.make_tensor_value_info(
                "attention_mask", TensorProto.INT64, ["batch", "sequence"]
            ),
        ],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", n_out])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def manifest_document(**intent_overrides: Any) -> dict[str, Any]:
    head = {
        "file": "intent.onnx",
        "labels": LABELS,
        "threshold": 0.4,
        "temperature": 1.0,
        "oos_label": "oos",
        "fallback_label": "oos",
        "threshold_rule": "test fixture",
        "quantization": {"mode": "none"},
        "metrics": {},
        "data_fingerprint": "sha256:test",
        "config": {},
    }
    head.update(intent_overrides)
    return {
        "schema_version": SCHEMA_VERSION,
        "artifact_version": "tiny-1",
        "package_version": "0.0.0",
        "base_model": {"name": "tiny", "sha256": "0" * 64, "source": "test"},
        "tokenizer": {
            "file": "tokenizer.json",
            "max_length": 16,
            "truncation_side": "right",
            "max_chars": 256,
            "pad_token_id": 0,
        },
        "heads": {"intent": head},
    }


MakeArtifact = Callable[..., Path]


@pytest.fixture
def make_artifact(tmp_path: Path) -> MakeArtifact:
    """Build an artifact folder; keyword arguments override intent-head manifest fields."""

    def make(name: str = "artifact", n_out: int | None = None, **overrides: Any) -> Path:
        tok, vocab = _tokenizer()
        graph = _graph(vocab, n_out or len(LABELS))
        files = {"intent.onnx": graph.SerializeToString(), "tokenizer.json": tok.to_str().encode()}
        return write_artifact(tmp_path / name, files, manifest_document(**overrides))

    return make


@pytest.fixture
def artifact(make_artifact: MakeArtifact) -> Path:
    return make_artifact()


def _complexity_graph(n_features: int, weights: np.ndarray) -> onnx.ModelProto:
    """features -> MatMul + bias -> softmax: a probe-free head with the runtime signature."""
    inits = [
        numpy_helper.from_array(weights.astype(np.float32), "W"),
        numpy_helper.from_array(np.array([2.0, 0.0, -2.0], np.float32), "bias"),
    ]
    nodes = [
        helper.make_node("MatMul", ["features", "W"], ["raw"]),
        helper.make_node("Add", ["raw", "bias"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["probabilities"], axis=-1),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny-complexity",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["batch", n_features])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 3])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


@pytest.fixture
def complexity_artifact(tmp_path: Path) -> Path:
    """Intent + complexity heads; the complexity graph leans on 'chars' and 'marker_proof'."""
    from frontdesk.complexity_features import FEATURE_NAMES, IdfTable, MarkerLexicon

    tok, vocab = _tokenizer()
    weights = np.zeros((len(FEATURE_NAMES), 3), np.float32)
    chars, proof = FEATURE_NAMES.index("chars"), FEATURE_NAMES.index("marker_proof")
    weights[chars] = [0.0, 0.0, 0.5]  # longer -> harder (bias favours simple)
    weights[proof] = [-3.0, 0.0, 6.0]  # proof language -> complex
    document = manifest_document()
    document["heads"]["complexity"] = {
        "file": "complexity.onnx",
        "tiers": ["simple", "standard", "complex"],
        "feature_names": list(FEATURE_NAMES),
        "markers_file": "complexity_markers.json",
        "idf_file": "complexity_idf.json",
        "min_confidence": 0.4,
        "probe": "none",
        "probe_tokens": 32,
        "max_scan_chars": 4096,
    }
    idf = IdfTable.fit(["what is the capital", "prove the theorem", "the cat sat"], min_df=1)
    files = {
        "intent.onnx": _graph(vocab, len(LABELS)).SerializeToString(),
        "tokenizer.json": tok.to_str().encode(),
        "complexity.onnx": _complexity_graph(len(FEATURE_NAMES), weights).SerializeToString(),
        "complexity_markers.json": MarkerLexicon.default().to_json().encode(),
        "complexity_idf.json": idf.to_json().encode(),
    }
    return write_artifact(tmp_path / "both", files, document)
