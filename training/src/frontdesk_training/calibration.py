"""Calibration on the validation split: temperature scaling, ECE, the fallback threshold."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Row-wise softmax of ``logits / temperature``."""
    z = logits / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    result: np.ndarray = e / e.sum(axis=1, keepdims=True)
    return result


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """Temperature minimising validation negative log-likelihood (Guo et al., 2017)."""

    def nll(log_t: float) -> float:
        p = softmax(logits, float(np.exp(log_t)))
        return float(-np.mean(np.log(p[np.arange(len(labels)), labels] + 1e-12)))

    result = minimize_scalar(nll, bounds=(np.log(0.05), np.log(20.0)), method="bounded")
    return float(np.exp(result.x))


def expected_calibration_error(probs: np.ndarray, labels: np.ndarray, bins: int = 15) -> float:
    """ECE with equal-width confidence bins."""
    confidence = probs.max(axis=1)
    correct = probs.argmax(axis=1) == labels
    edges = np.linspace(0.0, 1.0, bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        in_bin = (confidence > lo) & (confidence <= hi)
        if in_bin.any():
            ece += in_bin.mean() * abs(correct[in_bin].mean() - confidence[in_bin].mean())
    return float(ece)


@dataclass(frozen=True)
class ThresholdChoice:
    """The chosen threshold and what it costs / buys on validation."""

    threshold: float
    in_scope_accuracy: float
    in_scope_accuracy_at_zero: float
    oos_recall: float | None
    rule: str


def choose_threshold(
    probs: np.ndarray,
    labels: np.ndarray,
    oos_index: int | None,
    max_in_scope_drop: float,
    max_threshold: float = 0.9,
) -> ThresholdChoice:
    """Pick the fallback threshold on validation, spending a fixed in-scope accuracy budget.

    A prediction falls back when its top class is out-of-scope or its confidence is under the
    threshold. Raising the threshold catches more out-of-scope traffic and wrongly rejects some
    in-scope queries. Among thresholds (at most ``max_threshold``) that cost at most
    ``max_in_scope_drop`` of validation in-scope accuracy, the rule takes the one with the best
    out-of-scope recall, and the smallest such one on ties; without out-of-scope examples, the
    largest. The budget does not depend on how much out-of-scope traffic the validation split
    happens to contain, and the cap keeps near-certain predictions from ever being rejected when
    a model fits its validation split perfectly.
    """
    top = probs.argmax(axis=1)
    conf = probs.max(axis=1)
    in_scope = labels != oos_index if oos_index is not None else np.ones(len(labels), bool)
    has_oos = bool((~in_scope).any())

    def score(t: float) -> tuple[float, float | None]:
        accept = (conf >= t) & (top != oos_index if oos_index is not None else True)
        acc = float(((top == labels) & accept)[in_scope].mean()) if in_scope.any() else 0.0
        recall = float((~accept)[~in_scope].mean()) if has_oos else None
        return acc, recall

    base, _ = score(0.0)
    candidates = [0.0] + [float(t) for t in np.unique(np.floor(conf * 1e4) / 1e4)]
    best, best_key = 0.0, (-1.0, 0.0)
    for t in (t for t in candidates if t <= max_threshold):
        acc, recall = score(t)
        if acc < base - max_in_scope_drop - 1e-12:
            continue
        key = (recall, -t) if recall is not None else (0.0, t)
        if key > best_key:
            best, best_key = t, key
    acc, recall = score(best)
    rule = (
        f"threshold <= {max_threshold} with the best validation OOS recall (smallest on ties; "
        f"largest without OOS) among those keeping in-scope accuracy >= "
        f"{base:.4f} - {max_in_scope_drop:.4f}"
    )
    return ThresholdChoice(best, acc, base, recall, rule)
