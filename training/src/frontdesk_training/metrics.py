"""Classification metrics for an intent head, with out-of-scope handled the CLINC150 way.

``in_scope_accuracy``: accuracy over in-scope examples, where a fallback counts as wrong.
``oos_recall``: share of out-of-scope examples that fell back. ``accuracy`` treats "fallback" as
predicting the out-of-scope label.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import classification_report, f1_score

from frontdesk_training.calibration import expected_calibration_error


def predict_with_fallback(probs: np.ndarray, threshold: float, oos_index: int | None) -> np.ndarray:
    """Predicted class index per row; -1 where the policy falls back."""
    top = probs.argmax(axis=1)
    fallback = probs.max(axis=1) < threshold
    if oos_index is not None:
        fallback |= top == oos_index
    return np.where(fallback, -1, top)


def intent_metrics(
    probs: np.ndarray,
    labels: np.ndarray,
    classes: Sequence[str],
    threshold: float,
    oos_index: int | None,
) -> dict[str, Any]:
    """Accuracy, macro-F1, in-scope accuracy, OOS recall, ECE and per-class P/R/F1."""
    pred = predict_with_fallback(probs, threshold, oos_index)
    fallback_as = oos_index if oos_index is not None else -1
    pred_label = np.where(pred == -1, fallback_as, pred)
    in_scope = labels != oos_index if oos_index is not None else np.ones(len(labels), bool)
    names = list(classes) + ([] if oos_index is not None else ["<fallback>"])
    ids = list(range(len(classes))) + ([] if oos_index is not None else [-1])
    report = classification_report(
        labels, pred_label, labels=ids, target_names=names, output_dict=True, zero_division=0
    )
    result: dict[str, Any] = {
        "n": int(len(labels)),
        "accuracy": float((pred_label == labels).mean()),
        "macro_f1": float(
            f1_score(
                labels,
                pred_label,
                labels=list(range(len(classes))),
                average="macro",
                zero_division=0,
            )
        ),
        "in_scope_accuracy": float((pred[in_scope] == labels[in_scope]).mean()),
        "closed_set_accuracy": float((probs.argmax(axis=1)[in_scope] == labels[in_scope]).mean()),
        "fallback_rate": float((pred == -1).mean()),
        "ece": expected_calibration_error(probs, labels),
        "per_class": {
            n: {k: float(report[n][k]) for k in ("precision", "recall", "f1-score", "support")}
            for n in names
        },
    }
    if oos_index is not None and (~in_scope).any():
        result["oos_recall"] = float((pred[~in_scope] == -1).mean())
    return result


def text_report(metrics: dict[str, Any]) -> str:
    """Human-readable classification report (the per-class table)."""
    lines = [f"{'label':<32} {'precision':>9} {'recall':>9} {'f1':>9} {'support':>8}"]
    for name, row in metrics["per_class"].items():
        lines.append(
            f"{name:<32} {row['precision']:>9.3f} {row['recall']:>9.3f} "
            f"{row['f1-score']:>9.3f} {int(row['support']):>8}"
        )
    summary = ["accuracy", "macro_f1", "in_scope_accuracy", "oos_recall", "ece"]
    lines.append("")
    lines += [f"{k:<20} {metrics[k]:.4f}" for k in summary if k in metrics]
    return "\n".join(lines) + "\n"
