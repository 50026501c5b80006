"""Complexity dataset adapters: counts against the shared READMEs, splits, mixtures, bad files."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from frontdesk_training.complexity_data import (
    SOURCES,
    TIERS,
    ComplexityExample,
    grouped_split,
    load_mixture,
    load_source,
)
from frontdesk_training.errors import DataError

# Counts published in each dataset's README.md / stats.json under ../shared/data.
MMLU_LABELS = {"both_correct": 8818, "both_wrong": 1985, "strong_only": 2497, "weak_only": 742}
GSM8K_OUTCOMES = {"both_correct": 747, "both_wrong": 94, "strong_only": 383, "weak_only": 95}
GSM8K_TRAIN_STEPS = {2: 1961, 3: 2149, 4: 1659, 5: 955, 6: 419, 7: 227, 8: 90, 9: 13}
MATH_TEST_LEVELS = {1: 437, 2: 894, 3: 1131, 4: 1214, 5: 1324}
OUTCOME_TIER = {
    "both_correct": "simple",
    "weak_only": "simple",
    "strong_only": "standard",
    "both_wrong": "complex",
}


def contaminated(path: Path, field: str) -> Counter[str]:
    """Rows RouteLLM dropped, per label: read straight from the file, not through the adapter."""
    lines = path.read_text(encoding="utf-8").split("\n")  # not splitlines(): texts hold U+2028
    rows = [json.loads(line) for line in lines if line.strip()]
    return Counter(r[field] for r in rows if r.get("routellm_contaminated"))


def expected_tiers(labels: dict[str, int], dropped: Counter[str]) -> Counter[str]:
    tiers: Counter[str] = Counter()
    for label, count in labels.items():
        tiers[OUTCOME_TIER[label]] += count - dropped[label]
    return tiers


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def embedded_rows(n: int, prefix: str = "q") -> list[str]:
    return [
        json.dumps({"text": f"{prefix} {i}", "label": TIERS[i % 3], "domain": f"d{i % 4}"})
        for i in range(n)
    ]


@pytest.fixture(scope="module")
def mmlu(shared_data: Path) -> list[ComplexityExample]:
    return load_source("mmlu_strong_weak", root=shared_data)


def test_mmlu_tiers_match_readme_counts_minus_contaminated(
    mmlu: list[ComplexityExample], shared_data: Path
) -> None:
    dropped = contaminated(shared_data / "mmlu_strong_weak" / "test.jsonl", "label")
    assert sum(dropped.values()) == 5
    assert len(mmlu) == 14042 - 5
    assert Counter(e.tier for e in mmlu) == expected_tiers(MMLU_LABELS, dropped)
    assert len({e.group for e in mmlu}) == 57
    assert {e.source for e in mmlu} == {"mmlu_strong_weak"}
    weak = sum(e.weak_quality for e in mmlu) / len(mmlu)
    strong = sum(e.strong_quality for e in mmlu) / len(mmlu)
    assert weak == pytest.approx(0.681, abs=0.002)
    assert strong == pytest.approx(0.806, abs=0.002)


def test_mmlu_tier_agrees_with_outcome_per_row(mmlu: list[ComplexityExample]) -> None:
    for e in mmlu:
        if e.weak_quality == 1.0:
            assert e.tier == "simple"
        else:
            assert e.tier == ("standard" if e.strong_quality == 1.0 else "complex")


def test_gsm8k_test_tiers_from_outcomes(shared_data: Path) -> None:
    examples = load_source("gsm8k", root=shared_data)
    dropped = contaminated(shared_data / "gsm8k" / "test.jsonl", "outcome")
    assert len(examples) == 1319 - sum(dropped.values()) == 1307
    assert Counter(e.tier for e in examples) == expected_tiers(GSM8K_OUTCOMES, dropped)
    assert all(e.weak_quality in (0.0, 1.0) for e in examples)
    assert len({e.group for e in examples}) == len(examples)  # one group per problem


def test_gsm8k_train_tiers_from_step_count_cuts(shared_data: Path) -> None:
    examples = load_source("gsm8k", split="train", root=shared_data)
    assert len(examples) == 7473
    by_tier = Counter(e.tier for e in examples)
    steps = GSM8K_TRAIN_STEPS
    assert by_tier == {
        "simple": steps[2] + steps[3],
        "standard": steps[4] + steps[5],
        "complex": sum(v for k, v in steps.items() if k >= 6),
    }
    assert all(e.weak_quality is None and e.strong_quality is None for e in examples)


def test_mtbench_scores_and_tiers(shared_data: Path) -> None:
    examples = load_source("mtbench_strong_weak", root=shared_data)
    dropped = contaminated(shared_data / "mtbench_strong_weak" / "test.jsonl", "label")
    assert len(examples) == 160 - sum(dropped.values()) == 144
    assert {e.group for e in examples} == {
        "writing",
        "roleplay",
        "reasoning",
        "math",
        "coding",
        "extraction",
        "stem",
        "humanities",
    }
    simple = 95 + 12 - dropped["tie"] - dropped["weak_better"]
    assert Counter(e.tier for e in examples)["simple"] == simple
    for e in examples:
        assert 0.0 <= e.weak_quality <= 1.0 and 0.0 <= e.strong_quality <= 1.0
        if e.tier == "standard":
            assert e.strong_quality > e.weak_quality and e.strong_quality >= 0.7
        if e.tier == "complex":
            assert e.strong_quality > e.weak_quality and e.strong_quality < 0.7


def test_math_levels_to_tiers_and_null_levels_dropped(shared_data: Path) -> None:
    test = load_source("math_levels", root=shared_data)
    levels = MATH_TEST_LEVELS
    assert Counter(e.tier for e in test) == {
        "simple": levels[1] + levels[2],
        "standard": levels[3],
        "complex": levels[4] + levels[5],
    }
    assert len({e.group for e in test}) == 7
    assert len(load_source("math_levels", split="train", root=shared_data)) == 7500 - 2


def test_arena_hard_is_all_complex(shared_data: Path) -> None:
    examples = load_source("arena_hard", root=shared_data)
    assert len(examples) == 1250
    assert {e.tier for e in examples} == {"complex"}
    groups = Counter(e.group for e in examples)
    assert groups["coding"] == 253 and groups["math"] == 247 and groups["creative_writing"] == 250
    assert len(groups) == 3 + 250  # v2.0 subcategories + v0.1 topic clusters


def test_embedded_by_name_file_and_folder(repo_root: Path) -> None:
    examples = load_source("embedded")
    assert len(examples) == 690
    assert Counter(e.tier for e in examples) == {t: 230 for t in TIERS}
    assert len({e.group for e in examples}) == 10
    path = repo_root / "data" / "complexity"
    by_file = load_source(str(path / "prompts.jsonl"))
    by_folder = load_source(str(path))
    assert [e.text for e in by_file] == [e.text for e in by_folder] == [e.text for e in examples]
    assert by_file[0].source == "prompts" and by_folder[0].source == "complexity"


def test_every_registered_source_loads_with_valid_tiers(shared_data: Path) -> None:
    for name, source in SOURCES.items():
        for split in source.splits or ("test",):
            examples = load_source(name, split=split, root=shared_data if source.shared else None)
            assert examples and all(e.tier in TIERS and e.group for e in examples), name


def test_grouped_split_holds_out_whole_groups(mmlu: list[ComplexityExample]) -> None:
    train, test = grouped_split(mmlu, 0.2, seed=0)
    assert len(train) + len(test) == len(mmlu)
    assert not {e.group for e in train} & {e.group for e in test}
    assert len(test) / len(mmlu) == pytest.approx(0.2, abs=0.02)
    again = grouped_split(mmlu, 0.2, seed=0)
    assert again == (train, test)
    other = grouped_split(mmlu, 0.2, seed=1)
    assert {e.group for e in other[1]} != {e.group for e in test}


def test_grouped_split_keys_groups_by_source(tmp_path: Path) -> None:
    a = [ComplexityExample(f"a{i}", "simple", "a", "math") for i in range(10)]
    b = [ComplexityExample(f"b{i}", "complex", "b", "math") for i in range(10)]
    train, test = grouped_split(a + b, 0.5, seed=0)
    assert len(train) == len(test) == 10
    assert len({e.source for e in test}) == 1
    with pytest.raises(DataError, match="at least two groups"):
        grouped_split(a, 0.5, seed=0)
    with pytest.raises(ValueError, match="test_fraction"):
        grouped_split(a + b, 1.0, seed=0)


def test_mixture_is_deterministic_and_weighted(tmp_path: Path) -> None:
    first = write_lines(tmp_path / "first.jsonl", embedded_rows(40, "first"))
    second = write_lines(tmp_path / "second.jsonl", embedded_rows(30, "second"))
    weights = {str(first): 0.5, str(second): 2.5}
    mix = load_mixture(weights, seed=3)
    assert mix == load_mixture(weights, seed=3)
    assert mix != load_mixture(weights, seed=4)
    counts = Counter(e.source for e in mix)
    assert counts == {"first": 20, "second": 2 * 30 + 15}
    assert len({e.text for e in mix if e.source == "first"}) == 20  # without replacement
    assert load_mixture({str(first): 0.5}, seed=3) == [e for e in mix if e.source == "first"]
    assert {e.source for e in load_mixture({str(first): 0, str(second): 1})} == {"second"}


def test_mixture_rejects_unknown_names_and_bad_weights(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no_such_source"):
        load_mixture({"no_such_source": 1.0})
    path = write_lines(tmp_path / "x.jsonl", embedded_rows(3))
    with pytest.raises(ValueError, match="weight"):
        load_mixture({str(path): -1.0})


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"mmlu_strong_weak.test\.jsonl: file not found"):
        load_source("mmlu_strong_weak", root=tmp_path)
    with pytest.raises(DataError, match=r"prompts\.jsonl: file not found"):
        load_source("embedded", root=tmp_path)
    with pytest.raises(DataError, match="no 'train' split"):
        load_source("mmlu_strong_weak", split="train", root=tmp_path)
    with pytest.raises(DataError, match="unknown complexity source"):
        load_source(str(tmp_path / "absent.jsonl"))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"text": "hi", "label": "easy"}', "'label' must be one of"),
        ('{"text": "  ", "label": "simple"}', "'text' is empty"),
        ('{"label": "simple"}', "'text' must be str"),
        ('{"text": "hi", "label": "simple", "domain": 3}', "'domain' must be a string"),
    ],
)
def test_bad_embedded_line_names_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = write_lines(tmp_path / "bad.jsonl", [*embedded_rows(2), "", line])
    with pytest.raises(DataError, match=rf"bad\.jsonl:4: .*{message}"):
        load_source(str(path))


def test_bad_shared_row_names_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "gsm8k"
    folder.mkdir()
    row = {"text": "What is 2 + 2?", "n_steps": True}
    write_lines(folder / "train.jsonl", [json.dumps(row)])
    with pytest.raises(DataError, match=r"train\.jsonl:1: field 'n_steps' must be int"):
        load_source("gsm8k", split="train", root=tmp_path)
    row = {"text": "Q", "weak_correct": True, "subject": "x", "routellm_contaminated": False}
    (tmp_path / "mmlu_strong_weak").mkdir()
    write_lines(tmp_path / "mmlu_strong_weak" / "test.jsonl", [json.dumps(row)])
    with pytest.raises(DataError, match=r"test\.jsonl:1: field 'strong_correct' must be bool"):
        load_source("mmlu_strong_weak", root=tmp_path)


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "empty.jsonl", [""])
    with pytest.raises(DataError, match="no examples"):
        load_source(str(path))
