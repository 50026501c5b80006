"""RouteLLM metrics: oracle / random / constant routers, the tie rule, CPT, calibration, errors."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from frontdesk_training.complexity_data import ComplexityExample, load_source
from frontdesk_training.routing_eval import (
    CostQualityCurve,
    apgr,
    cost_quality_curve,
    cost_quality_png,
    cpt,
    curve_apgr,
    quantile_threshold,
    random_baseline_apgr,
)

# APGR of "prompt length in characters" as the router score, published for RouteLLM's
# benchmarks (MMLU and GSM8K, weak = Mixtral-8x7B, strong = GPT-4-1106-preview).
LENGTH_APGR_REFERENCE = {"mmlu_strong_weak": 0.584, "gsm8k": 0.599}


def outcomes(n: int = 400, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """0/1 outcomes with a strong model better on average and some weak-only wins."""
    rng = np.random.default_rng(seed)
    weak = (rng.random(n) < 0.6).astype(float)
    strong = np.where(weak == 1, rng.random(n) < 0.9, rng.random(n) < 0.6).astype(float)
    return weak, strong


def arrays(examples: list[ComplexityExample]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    length = np.array([len(e.text) for e in examples], dtype=float)
    weak = np.array([e.weak_quality for e in examples], dtype=float)
    strong = np.array([e.strong_quality for e in examples], dtype=float)
    return length, weak, strong


def test_curve_endpoints_are_weak_and_strong_means() -> None:
    weak, strong = outcomes()
    curve = cost_quality_curve(np.arange(len(weak)), weak, strong)
    assert len(curve.strong_share) == len(curve.quality) == len(curve.pgr) == len(weak) + 1
    assert curve.strong_share[0] == 0.0 and curve.strong_share[-1] == 1.0
    assert curve.quality[0] == pytest.approx(weak.mean(), abs=1e-12)
    assert curve.quality[-1] == pytest.approx(strong.mean(), abs=1e-12)
    assert curve.pgr[0] == pytest.approx(0.0, abs=1e-12)
    assert curve.pgr[-1] == pytest.approx(1.0, abs=1e-12)


def test_oracle_recovers_the_gap_at_the_share_of_strong_only_wins() -> None:
    weak, strong = outcomes()
    strong = np.maximum(weak, strong)  # no weak-only wins: the oracle is exactly at PGR 1 then
    gain = strong - weak
    assert apgr(gain, weak, strong) > random_baseline_apgr()
    assert cpt(gain, weak, strong, 1.0) == pytest.approx((gain > 0).mean())


def test_oracle_with_weak_only_wins_peaks_above_one() -> None:
    weak, strong = outcomes()
    gain = strong - weak
    wins, losses = int((gain > 0).sum()), int((gain < 0).sum())
    assert losses > 0
    curve = cost_quality_curve(gain, weak, strong)
    # PGR 1 is reached after (wins - losses) queries; sending all wins gives wins / (wins - losses).
    assert cpt(gain, weak, strong, 1.0) == pytest.approx((wins - losses) / len(gain))
    assert curve.pgr.max() == pytest.approx(wins / (wins - losses))
    assert curve.strong_share[curve.pgr.argmax()] == pytest.approx(wins / len(gain))


def test_random_scores_average_half() -> None:
    weak, strong = outcomes()
    rng = np.random.default_rng(1)
    values = [apgr(rng.random(len(weak)), weak, strong) for _ in range(300)]
    assert np.mean(values) == pytest.approx(0.5, abs=0.01)
    assert random_baseline_apgr() == 0.5


def test_reversed_oracle_is_below_random() -> None:
    weak, strong = outcomes()
    assert apgr(weak - strong, weak, strong) < 0.5


def test_constant_scores_are_exactly_the_random_line() -> None:
    weak, strong = outcomes()
    curve = cost_quality_curve(np.full(len(weak), 3.0), weak, strong)
    np.testing.assert_allclose(curve.pgr, curve.strong_share, atol=1e-12)
    assert apgr(np.zeros(len(weak)), weak, strong) == pytest.approx(0.5, abs=1e-12)


def test_ties_do_not_depend_on_input_order() -> None:
    weak, strong = outcomes(1000)
    scores = np.random.default_rng(2).integers(0, 6, len(weak)).astype(float)  # many ties
    reference = apgr(scores, weak, strong)
    for seed in range(5):
        order = np.random.default_rng(seed).permutation(len(weak))
        assert apgr(scores[order], weak[order], strong[order]) == pytest.approx(reference, 1e-12)


def test_ties_count_at_their_expectation_over_every_order() -> None:
    scores = np.array([2.0, 1.0, 1.0, 1.0, 0.0, 0.0])
    weak = np.array([0.0, 1.0, 0.0, 0.0, 1.0, 0.0])
    strong = np.array([1.0, 0.0, 1.0, 1.0, 1.0, 1.0])
    curves = []
    for perm in itertools.permutations(range(len(scores))):
        ranked = sorted(perm, key=lambda i: -scores[i])  # stable: the permutation breaks ties
        gains = np.concatenate(([0.0], np.cumsum((strong - weak)[ranked])))
        curves.append(weak.mean() + gains / len(scores))
    np.testing.assert_allclose(
        cost_quality_curve(scores, weak, strong).quality, np.mean(curves, axis=0), atol=1e-12
    )


def test_cpt_is_monotone_in_target() -> None:
    weak, strong = outcomes()
    scores = (strong - weak) + np.random.default_rng(3).normal(0, 1.0, len(weak))
    values = [cpt(scores, weak, strong, t) for t in np.linspace(0.0, 1.0, 21)]
    assert values == sorted(values)
    assert values[0] == 0.0
    assert cpt(scores, weak, strong, 50.0) == 1.0  # never reached


def test_quantile_threshold_hits_the_requested_share() -> None:
    scores = np.random.default_rng(4).random(997)
    for target in np.linspace(0.0, 1.0, 11):
        threshold = quantile_threshold(scores, target)
        assert abs((scores >= threshold).mean() - target) <= 1 / len(scores)
    assert (scores >= quantile_threshold(scores, 0.0)).sum() == 0
    assert (scores >= quantile_threshold(scores, 1.0)).all()


def test_quantile_threshold_with_ties_picks_the_closest_reachable_share() -> None:
    scores = np.array([1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    assert quantile_threshold(scores, 0.3) == 1.0  # 40% reachable, 0% is farther
    assert (scores >= quantile_threshold(scores, 0.1)).sum() == 0


@pytest.mark.parametrize(
    ("scores", "weak", "strong", "message"),
    [
        ([1.0, 2.0], [0.0, 1.0], [1.0, 0.0], "PGR is undefined"),
        ([1.0, 2.0, 3.0], [0.0, 1.0], [1.0, 1.0], "differ in length"),
        ([], [], [], "empty"),
        ([1.0, float("nan")], [0.0, 0.0], [1.0, 1.0], "NaN"),
        ([[1.0, 2.0]], [[0.0, 0.0]], [[1.0, 1.0]], "1-D"),
    ],
)
def test_invalid_inputs_raise_value_error(
    scores: list[float], weak: list[float], strong: list[float], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        cost_quality_curve(scores, weak, strong)


def test_invalid_targets_raise_value_error() -> None:
    with pytest.raises(ValueError, match="target_strong_share"):
        quantile_threshold([1.0, 2.0], 1.5)
    with pytest.raises(ValueError, match="NaN"):
        quantile_threshold([1.0, float("nan")], 0.5)
    with pytest.raises(ValueError, match="target"):
        cpt([1.0, 2.0], [0.0, 0.0], [1.0, 1.0], float("nan"))


@pytest.mark.parametrize("name", sorted(LENGTH_APGR_REFERENCE))
def test_length_router_matches_published_apgr(shared_data: Path, name: str) -> None:
    length, weak, strong = arrays(load_source(name, root=shared_data))
    value = apgr(length, weak, strong)
    assert value == pytest.approx(LENGTH_APGR_REFERENCE[name], abs=0.03)


def test_cost_quality_png_writes_an_image(tmp_path: Path) -> None:
    weak, strong = outcomes()
    curves: dict[str, CostQualityCurve] = {
        "oracle": cost_quality_curve(strong - weak, weak, strong),
        "constant": cost_quality_curve(np.zeros(len(weak)), weak, strong),
    }
    assert curve_apgr(curves["constant"]) == pytest.approx(0.5)
    path = tmp_path / "curve.png"
    cost_quality_png(curves, path, "synthetic")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
