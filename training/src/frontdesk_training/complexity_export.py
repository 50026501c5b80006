"""Export the complexity head: torch -> ONNX (fp32) -> parity check against torch.

The graph is small (an MLP plus, with the probe, a frozen token table and a masked mean), so it
is served in fp32: dynamic int8 would shrink the token table but quantizes no MatMul worth
speeding up, and the whole call is dominated by feature extraction and tokenization.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch

from frontdesk import _onnx
from frontdesk_training.complexity_model import (
    ComplexityModel,
    FeatureProbabilities,
    ProbeProbabilities,
)
from frontdesk_training.errors import ExportError

PROBE_INPUTS = ("input_ids", "attention_mask", "features")


def export_onnx(model: ComplexityModel, n_features: int, path: Path, opset: int) -> None:
    """Write the probability graph with dynamic batch (and sequence) axes."""
    features = torch.zeros(2, n_features)
    batch = {0: "batch"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
        if model.probe is not None:
            ids = torch.ones(2, 8, dtype=torch.long)
            seq = {0: "batch", 1: "sequence"}
            torch.onnx.export(
                ProbeProbabilities(model).eval(),
                (ids, torch.ones_like(ids), features),
                str(path),
                input_names=list(PROBE_INPUTS),
                output_names=["probabilities"],
                opset_version=opset,
                dynamo=False,
                dynamic_axes={
                    "input_ids": seq,
                    "attention_mask": seq,
                    "features": batch,
                    "probabilities": batch,
                },
            )
        else:
            torch.onnx.export(
                FeatureProbabilities(model).eval(),
                (features,),
                str(path),
                input_names=["features"],
                output_names=["probabilities"],
                opset_version=opset,
                dynamo=False,
                dynamic_axes={"features": batch, "probabilities": batch},
            )


def parity(model: ComplexityModel, path: Path, feeds: dict[str, np.ndarray]) -> float:
    """Max abs difference of probabilities between torch and the exported graph."""
    session = _onnx.open_session(path, intra_op_threads=0)
    output = _onnx.check_signature(session, path, model.mlp[-1].out_features, tuple(feeds))
    onnx_probs = _onnx.run(session, output, feeds)
    with torch.no_grad():
        args = [torch.from_numpy(feeds["features"])]
        if model.probe is not None:
            args += [
                torch.from_numpy(feeds["input_ids"]),
                torch.from_numpy(feeds["attention_mask"]),
            ]
        torch_probs = torch.softmax(model(*args), dim=-1).numpy()
    diff = float(np.abs(onnx_probs - torch_probs).max())
    if diff > 1e-4:
        raise ExportError(f"{path}: ONNX and torch disagree (max abs diff {diff:.2e} > 1e-4)")
    return diff


def recipe(opset: int) -> dict[str, object]:
    """Quantization recipe for the manifest (fp32, see the module docstring)."""
    return {"mode": "none", "opset": opset, "onnxruntime_version": ort.__version__}
