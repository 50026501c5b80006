"""Temperature scaling, ECE, the fallback-threshold rule, and the learning-rate schedule."""

from __future__ import annotations

import numpy as np
import pytest

from frontdesk_training.calibration import (
    choose_threshold,
    expected_calibration_error,
    fit_temperature,
    softmax,
)
from frontdesk_training.trainer import lr_factor

N = 20_000


def sample_labels(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One label per row drawn from that row's distribution."""
    u = rng.random(len(probs))[:, None]
    return np.minimum((probs.cumsum(axis=1) < u).sum(axis=1), probs.shape[1] - 1)


def synthetic_logits(seed: int, classes: int = 5, scale: float = 3.0) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.0, scale, size=(N, classes))


# --- softmax ---------------------------------------------------------------------------------


def test_softmax_rows_sum_to_one_and_are_stable():
    logits = np.array([[1000.0, 0.0, -1000.0], [1.0, 2.0, 3.0]])
    probs = softmax(logits)
    assert np.isfinite(probs).all()
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    assert probs[0, 0] == pytest.approx(1.0)


def test_softmax_temperature_flattens_and_sharpens():
    logits = np.array([[2.0, 0.0]])
    assert softmax(logits, 2.0)[0, 0] < softmax(logits)[0, 0] < softmax(logits, 0.5)[0, 0]
    np.testing.assert_allclose(softmax(logits, 2.0), softmax(logits / 2.0))


# --- temperature -----------------------------------------------------------------------------


@pytest.mark.parametrize("true_temperature", [0.5, 1.0, 2.0, 4.0])
def test_fit_temperature_recovers_known_temperature(true_temperature):
    logits = synthetic_logits(seed=int(true_temperature * 10))
    rng = np.random.default_rng(7)
    labels = sample_labels(rng, softmax(logits, true_temperature))
    fitted = fit_temperature(logits, labels)
    assert fitted == pytest.approx(true_temperature, rel=0.10)


def test_sample_labels_follow_the_distribution():
    # Guard for the helper above: the recovery test is only as good as its sampler.
    probs = np.tile([0.7, 0.2, 0.1], (N, 1))
    counts = np.bincount(sample_labels(np.random.default_rng(0), probs), minlength=3) / N
    np.testing.assert_allclose(counts, [0.7, 0.2, 0.1], atol=0.015)


# --- ECE -------------------------------------------------------------------------------------


def test_ece_single_bin_is_confidence_minus_accuracy():
    probs = np.tile([0.9, 0.1], (10, 1))
    labels = np.array([0] * 5 + [1] * 5)
    assert expected_calibration_error(probs, labels) == pytest.approx(0.4)


def test_ece_of_calibrated_probabilities_is_small():
    rng = np.random.default_rng(1)
    probs = rng.dirichlet(np.ones(4), size=N)
    labels = sample_labels(rng, probs)  # confidence c is right with probability c
    assert expected_calibration_error(probs, labels) < 0.02


def test_ece_of_overconfident_probabilities_is_large_and_temperature_fixes_it():
    logits = synthetic_logits(seed=2)
    labels = sample_labels(np.random.default_rng(3), softmax(logits))
    calibrated = expected_calibration_error(softmax(logits), labels)
    overconfident = expected_calibration_error(softmax(logits, 0.3), labels)
    assert calibrated < 0.02
    assert overconfident > 0.1
    temperature = fit_temperature(logits * (1 / 0.3), labels)
    rescaled = expected_calibration_error(softmax(logits / 0.3, temperature), labels)
    assert rescaled < 0.02


# --- threshold rule --------------------------------------------------------------------------


def accuracy_at(probs, labels, oos, t):
    """Validation in-scope accuracy when predictions under ``t`` (or of ``oos``) fall back."""
    top, conf = probs.argmax(axis=1), probs.max(axis=1)
    accept = (conf >= t) & (top != oos)
    in_scope = labels != oos
    return float(((top == labels) & accept)[in_scope].mean())


def noisy_validation(seed: int, n: int = 400, classes: int = 4, oos: int | None = 3):
    """Probabilities from a mediocre classifier, by default with an out-of-scope class."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, classes, size=n)
    logits = rng.normal(0.0, 1.0, size=(n, classes))
    logits[np.arange(n), labels] += rng.uniform(0.0, 3.0, size=n)
    if oos is not None:  # out-of-scope often looks in-scope, with low confidence
        logits[labels == oos, oos] -= 1.0
    return softmax(logits), labels, oos


@pytest.mark.parametrize("budget", [0.0, 0.01, 0.05, 0.2])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_threshold_never_costs_more_than_the_budget(seed, budget):
    probs, labels, oos = noisy_validation(seed)
    choice = choose_threshold(probs, labels, oos, budget)
    base = accuracy_at(probs, labels, oos, 0.0)
    assert choice.in_scope_accuracy_at_zero == pytest.approx(base)
    at_choice = accuracy_at(probs, labels, oos, choice.threshold)
    assert choice.in_scope_accuracy == pytest.approx(at_choice)
    assert choice.in_scope_accuracy >= base - budget - 1e-12
    assert 0.0 <= choice.threshold <= 1.0


@pytest.mark.parametrize("budget", [0.0, 0.01, 0.05])
def test_threshold_has_the_best_affordable_oos_recall_and_is_the_smallest_such(budget):
    probs, labels, oos = noisy_validation(seed=4)
    choice = choose_threshold(probs, labels, oos, budget)
    base = choice.in_scope_accuracy_at_zero
    conf = probs.max(axis=1)
    candidates = [0.0, *np.unique(np.floor(conf * 1e4) / 1e4)]  # thresholds the rule considers
    affordable = [
        t
        for t in candidates
        if t <= 0.9 and accuracy_at(probs, labels, oos, float(t)) >= base - budget - 1e-12
    ]
    assert choice.threshold in affordable

    def recall(t):
        accept = (conf >= t) & (probs.argmax(axis=1) != oos)
        return float((~accept)[labels == oos].mean())

    best = max(recall(t) for t in affordable)
    assert choice.oos_recall == pytest.approx(best)
    assert choice.threshold == min(t for t in affordable if recall(t) == best)


def test_threshold_is_capped_so_certain_predictions_are_never_rejected():
    probs = np.array([[0.9999, 0.0001, 0.0]] * 5 + [[0.0001, 0.9999, 0.0]] * 5)
    labels = np.array([0] * 5 + [1] * 5)
    choice = choose_threshold(probs, labels, None, 0.2)
    assert choice.threshold <= 0.9
    assert choose_threshold(probs, labels, None, 0.2, max_threshold=0.5).threshold <= 0.5


def test_zero_budget_keeps_every_correct_in_scope_prediction():
    probs, labels, oos = noisy_validation(seed=5)
    choice = choose_threshold(probs, labels, oos, 0.0)
    top, conf = probs.argmax(axis=1), probs.max(axis=1)
    correct_in_scope = (top == labels) & (labels != oos)
    assert choice.in_scope_accuracy == choice.in_scope_accuracy_at_zero
    assert choice.threshold <= conf[correct_in_scope].min()


def test_zero_budget_without_slack_returns_zero():
    # The least confident prediction is a correct in-scope one: nothing can be rejected for free.
    probs = np.array([[0.4, 0.35, 0.25], [0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]])
    labels = np.array([0, 0, 1, 2])
    choice = choose_threshold(probs, labels, oos_index=2, max_in_scope_drop=0.0)
    # The out-of-scope row is already caught by its top class: no threshold adds recall, so the
    # smallest (0) wins and no in-scope query is ever rejected for nothing.
    assert choice.threshold == 0.0 and choice.oos_recall == 1.0
    probs[0] = [0.33336, 0.33332, 0.33332]
    assert choice_threshold(probs, labels) == 0.0


def choice_threshold(probs, labels):
    return choose_threshold(probs, labels, oos_index=2, max_in_scope_drop=0.0).threshold


def test_zero_budget_rejects_wrong_low_confidence_predictions_for_free():
    probs = np.array([[0.4, 0.6, 0.0], [0.9, 0.1, 0.0], [0.1, 0.9, 0.0], [0.5, 0.3, 0.2]])
    labels = np.array([0, 0, 1, 2])  # row 0 is wrong and the least confident in-scope row
    choice = choose_threshold(probs, labels, oos_index=2, max_in_scope_drop=0.0)
    assert choice.in_scope_accuracy == choice.in_scope_accuracy_at_zero == pytest.approx(2 / 3)
    # 0.6 is the smallest candidate that rejects the out-of-scope row (confidence 0.5).
    assert choice.threshold == pytest.approx(0.6)
    assert choice.oos_recall == 1.0


def test_larger_budget_catches_more_out_of_scope():
    probs, labels, oos = noisy_validation(seed=6)
    small = choose_threshold(probs, labels, oos, 0.0)
    large = choose_threshold(probs, labels, oos, 0.2)
    assert large.threshold > small.threshold
    assert large.oos_recall > small.oos_recall
    assert large.in_scope_accuracy <= small.in_scope_accuracy


def test_without_oos_label_there_is_no_oos_recall():
    probs, labels, _ = noisy_validation(seed=7, classes=3, oos=None)
    choice = choose_threshold(probs, labels, None, 0.05)
    assert choice.oos_recall is None
    conf = probs.max(axis=1)
    kept = ((probs.argmax(axis=1) == labels) & (conf >= choice.threshold)).mean()
    assert choice.in_scope_accuracy == pytest.approx(kept)
    assert choice.in_scope_accuracy >= choice.in_scope_accuracy_at_zero - 0.05 - 1e-12


def test_rule_text_states_the_budget():
    probs, labels, oos = noisy_validation(seed=8)
    choice = choose_threshold(probs, labels, oos, 0.01)
    assert "0.0100" in choice.rule
    assert f"{choice.in_scope_accuracy_at_zero:.4f}" in choice.rule


# --- learning-rate schedule ------------------------------------------------------------------


def test_lr_warms_up_monotonically_to_one():
    total, warmup = 100, 10
    ramp = [lr_factor(s, total, warmup) for s in range(warmup)]
    assert 0.0 < ramp[0] < 1.0
    assert all(a < b for a, b in zip(ramp, ramp[1:], strict=False))
    assert ramp[-1] == pytest.approx(1.0)
    assert lr_factor(warmup, total, warmup) == pytest.approx(1.0)


def test_lr_decays_linearly_to_zero_at_the_end():
    total, warmup = 100, 10
    decay = [lr_factor(s, total, warmup) for s in range(warmup, total + 1)]
    assert all(a >= b for a, b in zip(decay, decay[1:], strict=False))
    steps = np.diff(decay)
    np.testing.assert_allclose(steps, steps[0])  # linear
    assert decay[-1] == 0.0
    assert lr_factor(total - 1, total, warmup) > 0.0  # the last optimizer step still learns
    assert lr_factor(total + 5, total, warmup) == 0.0  # never negative


def test_lr_without_warmup_starts_at_one():
    assert lr_factor(0, 50, 0) == 1.0
    assert lr_factor(25, 50, 0) == pytest.approx(0.5)
    assert lr_factor(50, 50, 0) == 0.0


def test_lr_factor_stays_in_unit_interval():
    for total, warmup in [(1, 0), (7, 3), (100, 99), (1000, 100)]:
        factors = [lr_factor(s, total, warmup) for s in range(total + 1)]
        assert min(factors) >= 0.0 and max(factors) <= 1.0 + 1e-12
        assert max(factors) == pytest.approx(1.0)
