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
    order = np.argsort(-probabilities, kind="stable")[: max(1, min(top_k, len(classes)))]
    ranking = tuple((classes[i], float(probabilities[i])) for i in order)
    best, confidence = ranking[0]
    if oos_label is not None and best == oos_label:
        return IntentPrediction(fallback_label, confidence, True, ranking, "out_of_scope")
    if confidence < threshold:
        return IntentPrediction(fallback_label, confidence, True, ranking, "low_confidence")
    return IntentPrediction(best, confidence, False, ranking)
