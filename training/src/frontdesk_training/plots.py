"""Evaluation figures written as PNG: confusion matrix and reliability diagram."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np


def _pyplot():  # noqa: ANN202 - matplotlib's module type
    import matplotlib

    matplotlib.use("Agg")  # headless; chosen at call time so importing this module does nothing
    import matplotlib.pyplot as plt

    return plt


def confusion_png(
    labels: np.ndarray, predictions: np.ndarray, classes: Sequence[str], path: Path
) -> None:
    """Row-normalised confusion matrix; predictions of -1 (fallback) get their own column."""
    plt = _pyplot()
    n = len(classes)
    matrix = np.zeros((n, n + 1))
    for t, p in zip(labels, predictions, strict=True):
        matrix[t, p if p >= 0 else n] += 1
    matrix /= np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    size = min(4 + n * 0.28, 30)
    fig, ax = plt.subplots(figsize=(size, size * 0.9))
    ax.imshow(matrix, cmap="Blues", vmin=0, vmax=1)
    if n <= 40:
        ax.set_xticks(range(n + 1), list(classes) + ["<fallback>"], rotation=90, fontsize=7)
        ax.set_yticks(range(n), list(classes), fontsize=7)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title("Confusion matrix (row-normalised, test split)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def reliability_png(
    curves: dict[str, np.ndarray], labels: np.ndarray, path: Path, bins: int = 15
) -> None:
    """Accuracy vs confidence per bin, one line per probability set (e.g. raw vs calibrated)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.plot([0, 1], [0, 1], "k--", lw=1, label="perfect calibration")
    edges = np.linspace(0, 1, bins + 1)
    for name, probs in curves.items():
        conf, correct = probs.max(axis=1), probs.argmax(axis=1) == labels
        idx = np.clip(np.digitize(conf, edges[1:-1]), 0, bins - 1)
        xs = [conf[idx == b].mean() for b in range(bins) if (idx == b).any()]
        ys = [correct[idx == b].mean() for b in range(bins) if (idx == b).any()]
        ax.plot(xs, ys, marker="o", label=name)
    ax.set_xlabel("confidence")
    ax.set_ylabel("accuracy")
    ax.set_title("Reliability diagram (test split)")
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
