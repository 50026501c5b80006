"""Every bad input gets a typed error or a valid prediction; nothing crashes in onnxruntime."""

from __future__ import annotations

from pathlib import Path

import pytest

from frontdesk import IntentClassifier, InvalidInputError
from frontdesk._text import clean_text


@pytest.fixture
def classifier(artifact: Path) -> IntentClassifier:
    return IntentClassifier.load(artifact)


@pytest.mark.parametrize("bad", [None, 42, 3.5, b"invoice", ["invoice"], {"text": "x"}])
def test_non_str_is_a_typed_error_that_is_also_value_error(classifier, bad) -> None:
    with pytest.raises(InvalidInputError, match="must be a str"):
        classifier.predict(bad)
    with pytest.raises(ValueError):
        classifier.predict(bad)


@pytest.mark.parametrize("empty", ["", " ", "\n\t  \r\n", "\x00\x01\x02", "\u200b" * 0])
def test_empty_or_whitespace_only_is_refused(classifier, empty) -> None:
    with pytest.raises(InvalidInputError, match="empty"):
        classifier.predict(empty)


def test_lone_surrogates_are_replaced_not_crashed_on(classifier) -> None:
    p = classifier.predict("refund \ud800 my invoice \udfff")
    assert p.label == "billing"
    assert "\ufffd" in clean_text("a\ud800b", max_chars=100)


def test_control_characters_become_spaces(classifier) -> None:
    assert clean_text("rain\x00\x1bforecast\x7f", max_chars=100) == "rain  forecast "
    assert classifier.predict("rain\x00forecast").label == "weather"
    assert clean_text("keep\ttabs\nand newlines", max_chars=100) == "keep\ttabs\nand newlines"


def test_a_megabyte_string_is_cut_to_max_chars_and_classified(classifier) -> None:
    huge = "invoice " * 131_072  # 1 MiB
    assert len(clean_text(huge, max_chars=256)) == 256
    assert classifier.predict(huge).label == "billing"
    tail_kept = clean_text("rain " * 1000 + "invoice", max_chars=20, side="left")
    assert tail_kept.endswith("invoice") and len(tail_kept) == 20


def test_truncation_to_max_length_tokens_keeps_long_inputs_valid(classifier) -> None:
    # 16 tokens max in the fixture: the trailing words are never seen.
    text = " ".join(["rain"] * 16 + ["invoice"] * 40)
    assert classifier.artifact.encoder.count_tokens(text) == 16
    assert classifier.predict(text).label == "weather"


def test_mixed_batch_names_the_bad_index(classifier) -> None:
    with pytest.raises(InvalidInputError, match="batch item 2"):
        classifier.predict_batch(["rain", "hello", None, "invoice"])
    with pytest.raises(InvalidInputError, match="batch item 1"):
        classifier.predict_proba(["rain", "   "])


@pytest.mark.parametrize("not_a_batch", ["rain forecast", b"rain", None, 7, {"a": 1}])
def test_batch_must_be_a_sequence_of_texts(classifier, not_a_batch) -> None:
    with pytest.raises(InvalidInputError, match="sequence of str"):
        classifier.predict_batch(not_a_batch)


def test_unicode_and_non_english_text_is_valid(classifier) -> None:
    for text in ("¿Dónde está mi factura?", "请帮我", "🌧️ rain ☔", "Ünïcödé"):
        p = classifier.predict(text)
        assert p.label in {*classifier.classes_, "oos"}
        assert 0.0 <= p.confidence <= 1.0
