"""Decision types and the pure policy that turns probabilities into decisions.

Heads only produce probabilities. Thresholds live in the manifest (and can be overridden at
load time), and :func:`decide_intent` applies them, so changing a threshold never needs a
retrain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class IntentPrediction:
    """What the intent head decided for one text.

    ``label`` is the fallback label when ``is_fallback`` is true (out of scope, or confidence
    under the threshold); ``top_k`` always holds the raw ranking, most likely first.
    """

    label: str
    confidence: float
    is_fallback: bool
    top_k: tuple[tuple[str, float], ...]
    fallback_reason: str = ""


def decide_intent(
    probabilities: np.ndarray,
    classes: Sequence[str],
    *,
    threshold: float,
    oos_label: str | None,
    fallback_label: str,
    top_k: int = 3,
) -> IntentPrediction:
    """Map one row of class probabilities to an :class:`IntentPrediction`."""
    if not np.isfinite(probabilities).all():  # a broken graph must not look confident
        probabilities = np.nan_to_num(probabilities, nan=0.0, posinf=0.0, neginf=0.0)
        ranking = tuple(
            (classes[i], float(probabilities[i])) for i in range(min(top_k, len(classes)))
        )
        return IntentPrediction(fallback_label, 0.0, True, ranking, "invalid_scores")
    order = np.argsort(-probabilities, kind="stable")[: max(1, min(top_k, len(classes)))]
    ranking = tuple((classes[i], float(probabilities[i])) for i in order)
    best, confidence = ranking[0]
    if oos_label is not None and best == oos_label:
        return IntentPrediction(fallback_label, confidence, True, ranking, "out_of_scope")
    if confidence < threshold:
        return IntentPrediction(fallback_label, confidence, True, ranking, "low_confidence")
    return IntentPrediction(best, confidence, False, ranking)


@dataclass(frozen=True)
class TierPrediction:
    """What the complexity head decided for one text.

    ``score`` is the continuous complexity score in [0, 1]: the expected tier index under the
    tier probabilities, divided by the highest index (0 = surely the cheapest tier, 1 = surely
    the strongest). ``is_fallback`` means the strongest tier was chosen because the head was
    unsure (``fallback_reason == "low_confidence"``).
    """

    tier: str
    confidence: float
    score: float
    is_fallback: bool
    probabilities: tuple[tuple[str, float], ...]
    fallback_reason: str = ""


def complexity_score(probabilities: np.ndarray) -> float:
    """Return the expected tier index / (number of tiers - 1), in [0, 1]."""
    n = len(probabilities)
    return float(np.dot(probabilities, np.arange(n)) / max(1, n - 1))


def decide_tier(
    probabilities: np.ndarray,
    tiers: Sequence[str],
    *,
    min_confidence: float,
    strong_threshold: float | None = None,
) -> TierPrediction:
    """Map one row of tier probabilities (cheapest tier first) to a :class:`TierPrediction`.

    With ``strong_threshold`` (calibrated to a target share of strongest-tier calls), a score at
    or above it selects the strongest tier and anything else the likelier of the lower tiers.
    Without it, the likeliest tier wins. Either way, a top probability under ``min_confidence``
    overshoots to the strongest tier: quality first when unsure.
    """
    strongest = len(tiers) - 1
    if not np.isfinite(probabilities).all():  # unsure in the extreme: overshoot on quality
        table = tuple((t, 0.0) for t in tiers)
        return TierPrediction(tiers[strongest], 0.0, 1.0, True, table, "invalid_scores")
    score = complexity_score(probabilities)
    table = tuple((t, float(p)) for t, p in zip(tiers, probabilities, strict=True))
    if strong_threshold is not None:
        best = strongest if score >= strong_threshold else int(np.argmax(probabilities[:-1]))
    else:
        best = int(np.argmax(probabilities))
    confidence = float(probabilities[best])
    if float(probabilities.max()) < min_confidence and best != strongest:
        return TierPrediction(tiers[strongest], confidence, score, True, table, "low_confidence")
    return TierPrediction(tiers[best], confidence, score, False, table)
