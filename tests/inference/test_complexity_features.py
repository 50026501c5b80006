"""Complexity features: shape, finiteness on hostile input, markers, IDF, and their JSON forms."""

from __future__ import annotations

import json
import math
import random
import re
import time

import numpy as np
import pytest

from frontdesk.complexity_features import (
    FEATURE_GROUPS,
    FEATURE_NAMES,
    MARKER_CATEGORIES,
    FeatureExtractor,
    IdfTable,
    MarkerLexicon,
    words,
)
from frontdesk.errors import ConfigError

CORPUS = [
    "what is the capital of france",
    "what is the boiling point of water",
    "what is a prime number",
    "prove that the sum of two even numbers is even",
    "explain why the sky is blue",
    "the quick brown fox jumps over the lazy dog",
    "translate good morning into spanish",
    "the derivative of a polynomial is a polynomial",
]


@pytest.fixture(scope="module")
def idf() -> IdfTable:
    return IdfTable.fit(CORPUS, min_df=1)


@pytest.fixture(scope="module")
def extractor(idf: IdfTable) -> FeatureExtractor:
    return FeatureExtractor(MarkerLexicon.default(), idf)


def feature(vector: np.ndarray, name: str) -> float:
    return float(vector[FEATURE_NAMES.index(name)])


def test_feature_names_are_unique_and_partitioned_by_groups() -> None:
    assert len(set(FEATURE_NAMES)) == len(FEATURE_NAMES)
    assert list(FEATURE_GROUPS) == ["length", "markers", "density"]
    assert tuple(n for group in FEATURE_GROUPS.values() for n in group) == FEATURE_NAMES
    assert {f"marker_{c}" for c in MARKER_CATEGORIES} <= set(FEATURE_GROUPS["markers"])


def test_transform_shape_dtype_and_batch_equals_rows(extractor) -> None:
    texts = ["hello there", "Prove that sqrt(2) is irrational.", "a\nb\n\n- c\n- d"]
    rows = [extractor.transform(t) for t in texts]
    for row in rows:
        assert row.shape == (len(FEATURE_NAMES),)
        assert row.dtype == np.float32
    batch = extractor.transform_batch(texts)
    assert batch.shape == (3, len(FEATURE_NAMES)) and batch.dtype == np.float32
    np.testing.assert_array_equal(batch, np.stack(rows))
    assert extractor.transform_batch([]).shape == (0, len(FEATURE_NAMES))
    assert extractor.transform_batch(()).dtype == np.float32


HOSTILE = {
    "empty": "",
    "space": " ",
    "one_char": "a",
    "emoji": "\U0001f600" * 1000,
    "cjk": "中文没有空格的句子" * 500,
    "digits": "0123456789" * 300,
    "punctuation": "?!.,;:()[]{}-*/\\$" * 300,
    "code": "def f(x):\n    return {x: [i ** 2 for i in range(x)]}\n" * 50,
    "replaced_surrogate": "a\ufffdb \ufffd",
    "lone_surrogate": "a\ud800b \udfff?",
    "latex": r"$\frac{a}{b} \leq \sqrt{x}$ and $$" * 100,
    "whitespace_mix": "\t\r\n\x0b\x0c \u00a0\u3000" * 100,
    "combining": "I\u0307stanbul \u0130STANBUL e\u0301te\u0301",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_values_are_finite_for_hostile_input(extractor, name) -> None:
    vector = extractor.transform(HOSTILE[name])
    assert np.isfinite(vector).all(), dict(zip(FEATURE_NAMES, vector.tolist(), strict=True))


def test_one_megabyte_is_fast_finite_and_longer_than_ten_kilobytes(extractor) -> None:
    big = "x" * 1_000_000
    start = time.perf_counter()
    vector = extractor.transform(big)
    assert time.perf_counter() - start < 0.5
    assert np.isfinite(vector).all()
    sentence = "The committee reviewed the budget and approved it. "
    small = extractor.transform((sentence * 200)[:10_000])
    large = extractor.transform((sentence * 20_000)[:1_000_000])
    for name in ("chars", "words", "sentences"):
        assert feature(large, name) > feature(small, name) + 3.0  # log1p of ~100x more
    assert feature(large, "words") == pytest.approx(math.log1p(1_000_000 / 7.3), rel=0.05)


def test_window_keeps_an_instruction_at_the_end_of_a_long_paste(extractor) -> None:
    paste = "The committee reviewed the budget and approved it. " * 2000
    vector = extractor.transform(paste + "Now prove that the total is correct.")
    assert feature(vector, "marker_proof") > 0


def test_markers_for_a_proof_request(extractor) -> None:
    vector = extractor.transform("Prove step by step that the sum of two odd numbers is even.")
    assert feature(vector, "marker_proof") > 0
    assert feature(vector, "marker_multi_step") > 0
    assert feature(vector, "marker_total") >= feature(vector, "marker_proof")


def test_greeting_has_no_reasoning_markers(extractor) -> None:
    vector = extractor.transform("hello there")
    assert feature(vector, "marker_proof") == 0
    assert feature(vector, "marker_multi_step") == 0
    assert feature(vector, "marker_simple_request") > 0


def test_markers_are_case_insensitive_and_respect_word_boundaries(idf) -> None:
    lexicon = MarkerLexicon({"conditionals": ("if",), "proof": ("show that",)})
    extractor = FeatureExtractor(lexicon, idf)
    assert feature(extractor.transform("IF it rains"), "marker_conditionals") > 0
    assert feature(extractor.transform("If it rains"), "marker_conditionals") > 0
    for text in ("the ifrit", "elif x", "gif"):
        assert feature(extractor.transform(text), "marker_conditionals") == 0, text
    assert feature(extractor.transform("SHOW\n  THAT x"), "marker_proof") > 0
    assert feature(extractor.transform("showthat x"), "marker_proof") == 0


def test_marker_counts_repeats_and_multi_word_phrases(idf) -> None:
    lexicon = MarkerLexicon({"multi_step": ("step by step", "then")})
    extractor = FeatureExtractor(lexicon, idf)
    vector = extractor.transform("step by step, then again step-by-step; then done")
    assert feature(vector, "marker_multi_step") == pytest.approx(math.log1p(4))


def test_empty_and_missing_marker_categories_give_zero(idf) -> None:
    extractor = FeatureExtractor(MarkerLexicon({"proof": ()}), idf)
    vector = extractor.transform("Prove step by step that x is even, if you can.")
    markers = [feature(vector, f"marker_{c}") for c in MARKER_CATEGORIES]
    assert markers == [0.0] * len(MARKER_CATEGORIES)
    assert np.isfinite(vector).all()


def test_non_english_marker_phrases_hit(extractor) -> None:
    cases = {
        "Explícame paso a paso cómo resolverlo.": "marker_multi_step",
        "Démontrez que la suite converge.": "marker_proof",
        "Warum ist der Himmel blau?": "marker_why_how",
        "Quais são as vantagens e desvantagens?": "marker_comparison",
    }
    for text, name in cases.items():
        assert feature(extractor.transform(text), name) > 0, text


def test_hard_short_request_beats_long_trivial_one_on_markers(extractor) -> None:
    hard = extractor.transform("Prove that sqrt(2) is irrational.")
    paragraph = (
        "Our quarterly newsletter goes out to all members on the first Monday of each month. "
        "It covers upcoming events, new members, committee news and a short interview. "
        "Members can submit articles by emailing the editor before the twentieth. "
    )
    trivial = extractor.transform(paragraph * 8 + "Fix the typo in the first sentence.")
    assert feature(trivial, "words") > feature(hard, "words") + 3.0  # ~500 vs 6 words
    assert feature(hard, "marker_proof") > feature(trivial, "marker_proof")
    assert feature(trivial, "marker_simple_request") > feature(hard, "marker_simple_request")


def test_layout_features(extractor) -> None:
    text = "Requirements:\n1. fast\n2) small\n- cheap\n\n```\nx = 1;\n```\nWhy? How?"
    vector = extractor.transform(text)
    assert feature(vector, "list_items") == pytest.approx(math.log1p(3))
    assert feature(vector, "numbered_requirements") == pytest.approx(math.log1p(2))
    assert feature(vector, "code_fences") == pytest.approx(math.log1p(2))
    assert feature(vector, "sub_questions") == pytest.approx(math.log1p(2))
    assert feature(vector, "paragraphs") == pytest.approx(math.log1p(2))
    assert feature(vector, "code_line_share") > 0


def test_density_features(extractor) -> None:
    plain = extractor.transform("what is the capital of france")
    dense = extractor.transform("Compute ∫ x^2 dx = x^3/3 + C via SQL API in 2024; ∞ ≠ π.")
    assert feature(plain, "digit_share") == 0 and feature(plain, "math_symbols") == 0
    assert feature(dense, "digit_share") > 0
    assert feature(dense, "math_symbols") > math.log1p(5)
    assert feature(dense, "upper_word_share") > 0 and feature(plain, "upper_word_share") == 0
    assert feature(dense, "non_ascii_share") > 0 and feature(plain, "non_ascii_share") == 0
    assert feature(dense, "idf_rare_share") > feature(plain, "idf_rare_share")
    code = extractor.transform("def area(r):\n    return 3.14 * r ** 2\nlet me know")
    assert feature(code, "code_tokens") == pytest.approx(math.log1p(2))  # def f(, return


def test_words_lowercases_and_splits_cjk_and_punctuation() -> None:
    assert words("Hello, WORLD! it's 3.14") == ["hello", "world", "it", "s", "3", "14"]
    assert words("中文abc") == ["中", "文", "abc"]
    assert words("") == [] and words("?!") == []
    assert words("Café—naïve snake_case") == ["café", "naïve", "snake_case"]


def test_fast_word_split_equals_the_plain_regex_definition() -> None:
    # words() splits ASCII with bytes.translate and re-splits only non-ASCII chunks by regex;
    # the result must be exactly the \w-run (CJK: per character) tokenization of the text.
    cjk = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    reference = re.compile(rf"[{cjk}]|[^\W{cjk}]+")
    alphabet = "aZ_9 .,-'\n\t\u00e9\u2019\u0130\u00a0\u4e2d\u3042\U0001f600\ufffd\u00df\u03a3"
    rng = random.Random(0)
    texts = ["".join(rng.choices(alphabet, k=rng.randint(0, 40))) for _ in range(500)]
    ascii_heavy = alphabet[:9] * 30 + alphabet[9:]  # few non-ASCII chunks: the re-split path
    texts += ["".join(rng.choices(ascii_heavy, k=200)) for _ in range(100)]
    for text in texts:
        assert words(text) == reference.findall(text.lower()), repr(text)


def test_idf_rare_words_score_higher_and_default_is_max() -> None:
    table = IdfTable.fit(CORPUS, min_df=1)
    assert table.n_documents == len(CORPUS)
    assert table.idf["fox"] > table.idf["what"] > table.idf["the"]
    assert table.default == max(table.idf.values())
    extractor = FeatureExtractor(MarkerLexicon({}), table)
    unseen = extractor.transform("zzzqx")
    assert feature(unseen, "idf_max") == pytest.approx(table.default)
    assert feature(unseen, "idf_rare_share") == 1.0


def test_idf_min_df_and_max_words() -> None:
    table = IdfTable.fit(CORPUS, min_df=2)
    assert "fox" not in table.idf and "the" in table.idf and "what" in table.idf
    top = IdfTable.fit(CORPUS, max_words=2, min_df=1)
    assert set(top.idf) == {"the", "is"}  # most frequent by document frequency
    with pytest.raises(ConfigError, match="max_words"):
        IdfTable.fit(CORPUS, max_words=0)


def test_idf_json_round_trip_is_exact() -> None:
    table = IdfTable.fit(CORPUS, min_df=1)
    again = IdfTable.from_json(table.to_json())
    assert again == table
    assert again.idf["fox"] == table.idf["fox"]  # bit-exact floats
    empty = IdfTable.fit([])
    assert IdfTable.from_json(empty.to_json()) == empty and empty.default > 0


@pytest.mark.parametrize(
    ("document", "key"),
    [
        ("not json", "not valid JSON"),
        ("[]", "expected a mapping"),
        ('{"idf": {}, "default": 1.0}', "n_documents"),
        ('{"idf": {"a": "x"}, "default": 1.0, "n_documents": 1}', "idf.a"),
        ('{"idf": {"a": NaN}, "default": 1.0, "n_documents": 1}', "idf.a"),
        ('{"idf": [], "default": 1.0, "n_documents": 1}', "idf"),
        ('{"idf": {}, "default": "high", "n_documents": 1}', "default"),
        ('{"idf": {}, "default": Infinity, "n_documents": 1}', "default"),
        ('{"idf": {}, "default": 1.0, "n_documents": -1}', "n_documents"),
        ('{"idf": {}, "default": 1.0, "n_documents": 1, "extra": 0}', "extra"),
    ],
)
def test_idf_from_json_rejects_garbage_naming_the_key(document, key) -> None:
    with pytest.raises(ConfigError, match=key):
        IdfTable.from_json(document)


def test_default_lexicon_loads_with_every_category_and_round_trips() -> None:
    lexicon = MarkerLexicon.default()
    assert set(lexicon.categories) == set(MARKER_CATEGORIES)
    assert all(lexicon.categories[c] for c in MARKER_CATEGORIES)
    assert "paso a paso" in lexicon.categories["multi_step"]
    assert MarkerLexicon.from_json(lexicon.to_json()) == lexicon


@pytest.mark.parametrize(
    ("categories", "key"),
    [
        ({"proof": "prove"}, "categories.proof"),
        ({"proof": {"a": 1}}, "categories.proof"),
        ({"proof": ["prove", 3]}, r"categories.proof\[1\]"),
        ({"proof": ["prove", ""]}, r"categories.proof\[1\]"),
        ({"proof": ["  "]}, r"categories.proof\[0\]"),
        ({"proof": ["?!"]}, r"categories.proof\[0\]"),
        ({"proof": ["Prove"]}, r"categories.proof\[0\]"),
        ({"proof": ["prove", "prove"]}, "duplicate"),
        ({"hardness": ["prove"]}, "categories.hardness"),
    ],
)
def test_lexicon_from_json_rejects_bad_categories(categories, key) -> None:
    with pytest.raises(ConfigError, match=key):
        MarkerLexicon.from_json(json.dumps({"categories": categories}))


def test_lexicon_from_json_rejects_non_json_and_unknown_keys() -> None:
    with pytest.raises(ConfigError, match="not valid JSON"):
        MarkerLexicon.from_json("{")
    with pytest.raises(ConfigError, match="categorie"):
        MarkerLexicon.from_json('{"categorie": {}}')


def test_max_scan_chars_is_validated(idf) -> None:
    with pytest.raises(ConfigError, match="max_scan_chars"):
        FeatureExtractor(MarkerLexicon({}), idf, max_scan_chars=0)
