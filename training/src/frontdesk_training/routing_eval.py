"""RouteLLM's router metrics: cost-quality curve, PGR, APGR, CPT and threshold calibration.

A router gives every query a score (higher = more worth the strong model). Sending the ``k``
highest-scoring queries to the strong model and the rest to the weak one yields a mean quality;
PGR (performance gap recovered) puts it on the scale weak-only = 0, strong-only = 1. APGR is the
area under PGR over the share of strong calls; CPT(x%) is the least share of strong calls that
recovers x% of the gap (Ong et al. 2024, "RouteLLM", section 5).

Differences from RouteLLM's code (``routellm/evals/evaluate.py``, ``benchmarks.py``), all chosen
so the numbers do not depend on sampling or input order:

- RouteLLM evaluates ~11 thresholds at the deciles of the scores and integrates between them; we
  use every ``k = 0..n`` (the exact step curve), so APGR is the trapezoid over ``n + 1`` points.
  On continuous scores the two agree to within the decile grid's coarseness.
- RouteLLM routes ``score >= threshold``, which sends a whole tie group at once. We allow any
  ``k`` and give a partially included tie group its *expected* quality under a random order
  (each tied query counts with the group's mean gain). Constant scores therefore give exactly
  the random router's line, PGR = share, APGR = 0.5.
- RouteLLM's CPT interpolates linearly between its grid points (``np.interp``); ours is the
  smallest grid share whose PGR reaches the target (exact on the ``n + 1`` grid, at most ``1/n``
  above the interpolated value, and well defined when the curve is not monotone).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

# PGR is a ratio of float sums; a curve that reaches a target "exactly" may miss it by rounding.
_PGR_TOLERANCE = 1e-9


@dataclass(frozen=True)
class CostQualityCurve:
    """Mean quality and PGR after sending the top ``k = 0..n`` queries to the strong model."""

    strong_share: np.ndarray
    quality: np.ndarray
    pgr: np.ndarray


def _validate(
    scores: ArrayLike, weak: ArrayLike, strong: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    arrays = [np.asarray(a, dtype=float) for a in (scores, weak, strong)]
    for name, array in zip(("scores", "weak", "strong"), arrays, strict=True):
        if array.ndim != 1:
            raise ValueError(f"{name} must be 1-D, got shape {array.shape}")
        if not np.isfinite(array).all():
            raise ValueError(f"{name} contains NaN or infinite values")
    lengths = {len(a) for a in arrays}
    if len(lengths) != 1:
        raise ValueError(f"scores, weak and strong differ in length: {[len(a) for a in arrays]}")
    if not arrays[0].size:
        raise ValueError("scores, weak and strong are empty")
    s, w, st = arrays
    return s, w, st


def cost_quality_curve(scores: ArrayLike, weak: ArrayLike, strong: ArrayLike) -> CostQualityCurve:
    """Compute the exact step curve; tied scores count at their random-order expectation."""
    s, w, st = _validate(scores, weak, strong)
    weak_mean, strong_mean = float(w.mean()), float(st.mean())
    if np.isclose(strong_mean, weak_mean, rtol=0.0, atol=1e-12):
        raise ValueError(
            f"strong and weak mean quality are equal ({strong_mean:.6g}): PGR is undefined"
        )
    n = len(s)
    # Tie groups of equal score, visited from the highest score down.
    _, inverse, counts = np.unique(-s, return_inverse=True, return_counts=True)
    group_gain = np.bincount(inverse, weights=st - w) / counts
    ranked = np.sort(inverse, kind="stable")  # group ids in order of descending score
    gains = np.concatenate(([0.0], np.cumsum(group_gain[ranked])))
    quality = w.mean() + gains / n
    quality[-1] = strong_mean  # every query strong; removes the cumulative rounding
    pgr = (quality - weak_mean) / (strong_mean - weak_mean)
    return CostQualityCurve(np.arange(n + 1) / n, quality, pgr)


def _trapezoid(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.sum((y[1:] + y[:-1]) * np.diff(x)) / 2.0)


def curve_apgr(curve: CostQualityCurve) -> float:
    """Area under ``curve``'s PGR over strong-call share on [0, 1] (trapezoid rule)."""
    return _trapezoid(curve.strong_share, curve.pgr)


def apgr(scores: ArrayLike, weak: ArrayLike, strong: ArrayLike) -> float:
    """Average performance gap recovered: 0.5 for a random router, higher is better."""
    return curve_apgr(cost_quality_curve(scores, weak, strong))


def cpt(scores: ArrayLike, weak: ArrayLike, strong: ArrayLike, target: float) -> float:
    """Call-performance threshold: least strong-call share with PGR >= ``target`` (1.0 if never).

    ``target`` is a fraction (0.5 for CPT(50%)); it may exceed 1 because a good router can beat
    the strong model alone when the weak model wins some queries.
    """
    if not np.isfinite(target):
        raise ValueError(f"target must be a finite number, got {target}")
    curve = cost_quality_curve(scores, weak, strong)
    reached = np.flatnonzero(curve.pgr >= target - _PGR_TOLERANCE)
    return float(curve.strong_share[reached[0]]) if reached.size else 1.0


def quantile_threshold(scores: ArrayLike, target_strong_share: float) -> float:
    """Threshold ``t`` such that the share of scores ``>= t`` is as close as possible to target.

    RouteLLM calibrates with ``quantile(scores, 1 - share)`` on a sample of traffic; we pick
    among the observed scores instead, so the share achieved on these scores is within ``1/n``
    of the target whenever ties allow it (a tie group is routed as a whole at serving time).
    A target of 0 returns a value above every score.
    """
    if not 0.0 <= target_strong_share <= 1.0:
        raise ValueError(f"target_strong_share must be in [0, 1], got {target_strong_share}")
    s = np.asarray(scores, dtype=float)
    if s.ndim != 1 or not s.size:
        raise ValueError("scores must be a non-empty 1-D array")
    if not np.isfinite(s).all():
        raise ValueError("scores contains NaN or infinite values")
    values = np.unique(s)[::-1]  # distinct scores, highest first
    routed = np.searchsorted(np.sort(-s), -values, side="right")  # count of scores >= value
    above = np.nextafter(values[0], np.inf)
    candidates = np.concatenate(([above], values))
    shares = np.concatenate(([0], routed)) / len(s)
    best = int(np.argmin(np.abs(shares - target_strong_share)))  # first = fewer strong calls
    return float(candidates[best])


def random_baseline_apgr() -> float:
    """APGR of a router that ignores the query: expected PGR equals the share, area 0.5."""
    return 0.5


def cost_quality_png(curves: Mapping[str, CostQualityCurve], path: Path, title: str) -> None:
    """PGR vs share of strong-model calls, one line per router; the diagonal is random routing."""
    import matplotlib

    matplotlib.use("Agg")  # headless; chosen at call time so importing this module does nothing
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 5))
    ax.plot([0, 100], [0, 1], "k--", lw=1, label=f"random (APGR {random_baseline_apgr():.3f})")
    ax.axhline(1.0, color="grey", lw=0.8, ls=":")
    for name, curve in curves.items():
        ax.plot(
            curve.strong_share * 100,
            curve.pgr,
            lw=1.5,
            label=f"{name} (APGR {curve_apgr(curve):.3f})",
        )
    ax.set_xlabel("strong-model calls (%)")
    ax.set_ylabel("performance gap recovered (PGR)")
    ax.set_xlim(0, 100)
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
