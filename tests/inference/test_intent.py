"""IntentClassifier on a tiny artifact: types, shapes, policy, batching, thresholds."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from frontdesk import IntentClassifier, IntentPrediction, decide_intent
from tests.inference.conftest import LABELS


@pytest.fixture
def classifier(artifact: Path) -> IntentClassifier:
    return IntentClassifier.load(artifact)


def test_predicts_the_class_that_owns_the_words(classifier: IntentClassifier) -> None:
    p = classifier.predict("please refund my invoice")
    assert isinstance(p, IntentPrediction)
    assert p.label == "billing" and not p.is_fallback
    assert p.top_k[0][0] == "billing" and 0.4 <= p.confidence <= 1.0


def test_out_of_scope_falls_back_with_its_reason(classifier: IntentClassifier) -> None:
    p = classifier.predict("order a pizza")
    assert p.is_fallback and p.label == "oos" and p.fallback_reason == "out_of_scope"


def test_low_confidence_falls_back(classifier: IntentClassifier) -> None:
    p = classifier.predict("what is the")  # no class word: uniform probabilities
    assert p.is_fallback and p.fallback_reason == "low_confidence"
    assert p.confidence == pytest.approx(1 / len(LABELS), abs=1e-5)


def test_predict_proba_is_2d_with_columns_in_class_order(classifier: IntentClassifier) -> None:
    probs = classifier.predict_proba(["rain forecast", "hello", "invoice"])
    assert probs.shape == (3, len(LABELS)) and probs.dtype == np.float32
    assert classifier.classes_ == tuple(LABELS)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    assert [LABELS[i] for i in probs.argmax(axis=1)] == ["weather", "greeting", "billing"]
    assert classifier.predict_proba([]).shape == (0, len(LABELS))


def test_batch_equals_one_by_one_whatever_the_order(artifact: Path) -> None:
    texts = ["rain", "hello there my friend thanks", "invoice " * 30, "snow", "hi", "pizza"]
    small = IntentClassifier.load(artifact, batch_size=2)
    batch = small.predict_batch(texts)
    single = [small.predict(t) for t in texts]
    assert batch == single
    assert [p.label for p in batch] == [
        "weather",
        "greeting",
        "billing",
        "weather",
        "greeting",
        "oos",
    ]


def test_threshold_override_changes_policy_not_scores(artifact: Path) -> None:
    strict = IntentClassifier.load(artifact, threshold=0.99)
    lax = IntentClassifier.load(artifact, threshold=0.0)
    text = "rain rain pizza"  # weather ~0.71
    np.testing.assert_array_equal(strict.predict_proba([text]), lax.predict_proba([text]))
    assert (
        strict.predict(text).is_fallback
        and strict.predict(text).fallback_reason == "low_confidence"
    )
    assert lax.predict(text).label == "weather" and not lax.predict(text).is_fallback
    with pytest.raises(ValueError):
        IntentClassifier.load(artifact, threshold=1.5)


def test_decide_intent_is_a_pure_policy() -> None:
    probs = np.array([0.1, 0.6, 0.3], np.float32)
    p = decide_intent(probs, ["a", "b", "c"], threshold=0.5, oos_label=None, fallback_label="x")
    assert (p.label, p.is_fallback, [k for k, _ in p.top_k]) == ("b", False, ["b", "c", "a"])
    p = decide_intent(probs, ["a", "b", "c"], threshold=0.7, oos_label=None, fallback_label="x")
    assert (p.label, p.is_fallback, p.fallback_reason) == ("x", True, "low_confidence")
    p = decide_intent(
        probs, ["a", "b", "c"], threshold=0.0, oos_label="b", fallback_label="x", top_k=1
    )
    assert (p.label, p.fallback_reason, len(p.top_k)) == ("x", "out_of_scope", 1)


def test_one_classifier_shared_by_threads_matches_sequential(classifier: IntentClassifier) -> None:
    texts = [f"{w} {v}" for w in ("rain", "hello", "invoice", "pizza") for v in ("my", "the", "a")]
    expected = [classifier.predict(t) for t in texts]
    results: dict[int, list[IntentPrediction]] = {}

    def work(k: int) -> None:
        results[k] = [classifier.predict(t) for t in texts * 5]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == expected * 5 for r in results.values()) and len(results) == 8
