"""Explicit conversion of a trained model into a serving artifact.

torch -> ONNX (fp32, token ids -> probabilities) -> dynamic int8 (per-channel) -> parity check
on the test split -> manifest -> atomic write. The runtime never sees torch objects.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import torch
from onnxruntime.quantization import QuantType, quantize_dynamic

from frontdesk import _onnx
from frontdesk.tokenization import TextEncoder
from frontdesk_training.config import ExportConfig
from frontdesk_training.errors import ExportError
from frontdesk_training.modeling import IntentModel, ProbabilityModel


def export_fp32(model: IntentModel, temperature: float, path: Path, opset: int) -> None:
    """Write the probability graph with dynamic batch and sequence axes."""
    wrapper = ProbabilityModel(model, temperature).eval()
    example = (torch.ones(2, 8, dtype=torch.long), torch.ones(2, 8, dtype=torch.long))
    axes = {0: "batch", 1: "sequence"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
        torch.onnx.export(
            wrapper,
            example,
            str(path),
            input_names=list(_onnx.INPUTS),
            output_names=["probabilities"],
            opset_version=opset,
            dynamo=False,
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "probabilities": {0: "batch"}},
        )


def quantize_int8(source: Path, target: Path, per_channel: bool) -> dict[str, Any]:
    """Dynamic int8 weights; returns the recipe stored in the manifest.

    ``per_channel=True`` matters: per-tensor scales collapse predictions on very short inputs.
    """
    quantize_dynamic(str(source), str(target), per_channel=per_channel, weight_type=QuantType.QInt8)
    return {
        "mode": "dynamic_int8",
        "per_channel": per_channel,
        "weight_type": "QInt8",
        "onnxruntime_version": ort.__version__,
    }


def onnx_probabilities(
    path: Path, encoder: TextEncoder, texts: list[str], batch: int = 64
) -> np.ndarray:
    """Run an exported graph the way the runtime does (1 thread is not needed here: use all)."""
    session = _onnx.open_session(path, intra_op_threads=0)
    output = _onnx.check_signature(session, path, session.get_outputs()[0].shape[-1])
    parts = []
    for start in range(0, len(texts), batch):
        ids, mask = encoder.encode(texts[start : start + batch])
        parts.append(_onnx.run(session, output, {"input_ids": ids, "attention_mask": mask}))
    return np.concatenate(parts)


@dataclass(frozen=True)
class Parity:
    """fp32 vs int8 on the same texts."""

    fp32_accuracy: float
    int8_accuracy: float
    label_agreement: float
    max_abs_diff: float

    @property
    def drop(self) -> float:
        """Accuracy lost to quantization (positive = worse)."""
        return self.fp32_accuracy - self.int8_accuracy


def parity(fp32: np.ndarray, int8: np.ndarray, labels: np.ndarray) -> Parity:
    """Compare two probability matrices against the gold labels."""
    return Parity(
        fp32_accuracy=float((fp32.argmax(1) == labels).mean()),
        int8_accuracy=float((int8.argmax(1) == labels).mean()),
        label_agreement=float((fp32.argmax(1) == int8.argmax(1)).mean()),
        max_abs_diff=float(np.abs(fp32 - int8).max()),
    )


def check_parity(result: Parity, config: ExportConfig) -> None:
    """Refuse the export when int8 loses more accuracy than allowed."""
    if result.drop > config.max_int8_drop:
        raise ExportError(
            f"int8 accuracy {result.int8_accuracy:.4f} is {100 * result.drop:.2f} pt below fp32 "
            f"{result.fp32_accuracy:.4f}, more than export.max_int8_drop="
            f"{100 * config.max_int8_drop:.2f} pt; "
            "export with export.quantize=false or raise the bound"
        )
