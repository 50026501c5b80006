"""Open onnxruntime sessions with explicit threading and turn their failures into ArtifactError."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import onnxruntime as ort

from frontdesk.errors import ArtifactError

INPUTS = ("input_ids", "attention_mask")


def open_session(
    path: Path, *, intra_op_threads: int, inter_op_threads: int = 1
) -> ort.InferenceSession:
    """CPU session; 1 intra-op thread by default so one request uses one core."""
    if intra_op_threads < 0 or inter_op_threads < 0:
        raise ValueError("thread counts must be >= 0 (0 lets onnxruntime decide)")
    options = ort.SessionOptions()
    options.intra_op_num_threads = intra_op_threads
    options.inter_op_num_threads = inter_op_threads
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    try:
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own untyped Fail / InvalidProtobuf errors
        raise ArtifactError(f"{path}: onnxruntime cannot load this graph ({exc})") from exc


def check_signature(
    session: ort.InferenceSession, path: Path, n_outputs: int, inputs: tuple[str, ...] = INPUTS
) -> str:
    """Check the graph's inputs and its [batch, n_outputs] output; return the output name."""
    names = tuple(i.name for i in session.get_inputs())
    if sorted(names) != sorted(inputs):
        raise ArtifactError(f"{path}: graph inputs are {names}, expected {inputs}")
    outputs = session.get_outputs()
    if len(outputs) != 1:
        raise ArtifactError(f"{path}: graph has {len(outputs)} outputs, expected 1")
    width = outputs[0].shape[-1] if outputs[0].shape else None
    if isinstance(width, int) and width != n_outputs:
        raise ArtifactError(
            f"{path}: graph returns {width} columns, manifest lists {n_outputs} labels"
        )
    return str(outputs[0].name)


def run(session: ort.InferenceSession, output: str, feeds: Mapping[str, np.ndarray]) -> np.ndarray:
    """One forward pass; returns float32 [batch, n]."""
    (result,) = session.run([output], dict(feeds))
    return np.asarray(result, dtype=np.float32)
