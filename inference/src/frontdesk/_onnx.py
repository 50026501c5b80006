"""Open onnxruntime sessions with explicit threading and turn their failures into ArtifactError."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import onnxruntime as ort

from frontdesk.errors import ArtifactError

INPUTS = ("input_ids", "attention_mask")


_DTYPES = {
    "input_ids": "tensor(int64)",
    "attention_mask": "tensor(int64)",
    "features": "tensor(float)",
}


def open_session(
    graph: Path | bytes, *, intra_op_threads: int, inter_op_threads: int = 1, name: str = ""
) -> ort.InferenceSession:
    """CPU session from a path or from verified bytes; 1 intra-op thread by default.

    From bytes, a graph cannot pull weights from external-data files beside it, so nothing the
    manifest does not pin can change what runs.
    """
    if intra_op_threads < 0 or inter_op_threads < 0:
        raise ValueError("thread counts must be >= 0 (0 lets onnxruntime decide)")
    options = ort.SessionOptions()
    options.intra_op_num_threads = intra_op_threads
    options.inter_op_num_threads = inter_op_threads
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    source = graph if isinstance(graph, bytes) else str(graph)
    try:
        return ort.InferenceSession(source, options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own untyped Fail / InvalidProtobuf errors
        where = name or str(graph)
        raise ArtifactError(f"{where}: onnxruntime cannot load this graph ({exc})") from exc


def check_signature(
    session: ort.InferenceSession,
    path: Path,
    n_outputs: int,
    inputs: tuple[str, ...] = INPUTS,
    n_features: int | None = None,
) -> str:
    """Check input names, types and ranks and the [batch, n_outputs] output; return its name."""
    found = {i.name: i for i in session.get_inputs()}
    if sorted(found) != sorted(inputs):
        raise ArtifactError(f"{path}: graph inputs are {tuple(found)}, expected {inputs}")
    for name, arg in found.items():
        shape = list(arg.shape or [])
        if arg.type != _DTYPES.get(name, arg.type) or len(shape) != 2:
            raise ArtifactError(
                f"{path}: input {name} is {arg.type} {shape}, expected {_DTYPES[name]} of rank 2"
            )
        if not all(d is None or isinstance(d, str) for d in shape[:1]):
            raise ArtifactError(f"{path}: input {name} has a fixed batch size {shape[0]}")
        if name != "features" and isinstance(shape[1], int):
            raise ArtifactError(f"{path}: input {name} has a fixed sequence length {shape[1]}")
        if name == "features" and n_features is not None and shape[1] != n_features:
            raise ArtifactError(
                f"{path}: graph takes {shape[1]} features, runtime has {n_features}"
            )
    outputs = session.get_outputs()
    if len(outputs) != 1:
        raise ArtifactError(f"{path}: graph has {len(outputs)} outputs, expected 1")
    shape = list(outputs[0].shape or [])
    if len(shape) != 2 or (isinstance(shape[1], int) and shape[1] != n_outputs):
        raise ArtifactError(
            f"{path}: graph returns shape {shape}, expected [batch, {n_outputs}] "
            f"({n_outputs} labels in the manifest)"
        )
    return str(outputs[0].name)


def run(session: ort.InferenceSession, output: str, feeds: Mapping[str, np.ndarray]) -> np.ndarray:
    """Run one forward pass; return float32 [batch, n].

    A graph failing on valid input is an artifact defect, reported as :class:`ArtifactError`.
    """
    try:
        (result,) = session.run([output], dict(feeds))
    except Exception as exc:  # onnxruntime's InvalidArgument / RuntimeException are untyped
        raise ArtifactError(f"the graph failed on valid input ({str(exc)[:300]})") from exc
    return np.asarray(result, dtype=np.float32)
