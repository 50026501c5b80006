"""ComplexityClassifier on a tiny torch-free artifact: shapes, policy, bad input, any length."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from frontdesk import ArtifactError, IntentClassifier, InvalidInputError
from frontdesk.complexity import ComplexityClassifier
from frontdesk.complexity_features import FEATURE_NAMES
from frontdesk.decision import complexity_score, decide_tier

TIERS = ("simple", "standard", "complex")


@pytest.fixture
def clf(complexity_artifact: Path) -> ComplexityClassifier:
    return ComplexityClassifier.load(complexity_artifact)


def test_both_heads_load_from_one_artifact(complexity_artifact: Path, clf) -> None:
    assert IntentClassifier.load(complexity_artifact).predict("rain").label == "weather"
    assert clf.classes_ == TIERS


def test_proof_language_is_complex_and_a_greeting_is_not(clf) -> None:
    hard, easy = clf.predict_batch(["Prove the theorem rigorously.", "hi"])
    assert hard.tier == "complex" and easy.tier != "complex"
    assert hard.score > easy.score and 0.0 <= easy.score <= 1.0


def test_predict_proba_is_2d_cheapest_first_and_sums_to_one(clf) -> None:
    probs = clf.predict_proba(["a", "b c d", "prove it"])
    assert probs.shape == (3, 3) and probs.dtype == np.float32
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    assert clf.predict_proba([]).shape == (0, 3)
    assert clf.features(["hello there"]).shape == (1, len(FEATURE_NAMES))


@pytest.mark.parametrize("bad", [None, 3, b"x", ["a"]])
def test_non_str_is_a_typed_error(clf, bad) -> None:
    with pytest.raises(InvalidInputError):
        clf.predict(bad)


@pytest.mark.parametrize("empty", ["", "   ", "\x00\x01"])
def test_empty_is_a_typed_error(clf, empty) -> None:
    with pytest.raises(InvalidInputError, match="empty"):
        clf.predict(empty)


def test_batch_errors_name_the_item(clf) -> None:
    with pytest.raises(InvalidInputError, match="batch item 1"):
        clf.predict_batch(["fine", None])
    with pytest.raises(InvalidInputError, match="sequence of str"):
        clf.predict_batch("not a batch")


def test_any_length_gets_a_valid_answer(clf) -> None:
    for text in ("x", "word " * 200_000, "\ud800 broken surrogate", "中文" * 5000, "😀" * 3000):
        p = clf.predict(text)
        assert p.tier in TIERS and np.isfinite(p.score)
    # a megabyte still reads as long: the length feature is measured on the whole text
    long_text, short_text = clf.predict("word " * 200_000), clf.predict("word")
    assert long_text.score > short_text.score


def test_low_confidence_overshoots_to_the_strongest_tier() -> None:
    p = decide_tier(np.array([0.34, 0.33, 0.33]), TIERS, min_confidence=0.5)
    assert (p.tier, p.is_fallback, p.fallback_reason) == ("complex", True, "low_confidence")
    p = decide_tier(np.array([0.8, 0.1, 0.1]), TIERS, min_confidence=0.5)
    assert (p.tier, p.is_fallback) == ("simple", False)


def test_strong_threshold_sends_high_scores_to_the_strongest_tier() -> None:
    probs = np.array([0.3, 0.4, 0.3])  # score 0.5
    assert decide_tier(probs, TIERS, min_confidence=0.0, strong_threshold=0.5).tier == "complex"
    assert decide_tier(probs, TIERS, min_confidence=0.0, strong_threshold=0.6).tier == "standard"
    assert complexity_score(np.array([0.0, 0.0, 1.0])) == 1.0
    assert complexity_score(np.array([1.0, 0.0, 0.0])) == 0.0


def test_min_confidence_override_is_checked(complexity_artifact: Path) -> None:
    with pytest.raises(ValueError):
        ComplexityClassifier.load(complexity_artifact, min_confidence=2.0)
    strict = ComplexityClassifier.load(complexity_artifact, min_confidence=0.99)
    assert strict.predict("what is this").tier == "complex"


def _edit(folder: Path, edit) -> None:
    path = folder / "manifest.json"
    doc = json.loads(path.read_text())
    edit(doc)
    path.write_text(json.dumps(doc))


def test_feature_names_from_another_version_are_refused(complexity_artifact: Path) -> None:
    _edit(
        complexity_artifact,
        lambda d: d["heads"]["complexity"].update(feature_names=["chars", "words"]),
    )
    with pytest.raises(ArtifactError, match="feature_names differ"):
        ComplexityClassifier.load(complexity_artifact)


def test_missing_complexity_file_is_named(complexity_artifact: Path) -> None:
    (complexity_artifact / "complexity_idf.json").unlink()
    with pytest.raises(ArtifactError, match="complexity_idf.json: missing"):
        ComplexityClassifier.load(complexity_artifact)


def test_artifact_without_complexity_head(artifact: Path) -> None:
    with pytest.raises(ArtifactError, match="no complexity head"):
        ComplexityClassifier.load(artifact)
