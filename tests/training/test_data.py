"""JSONL reading, stratified seeded splits, subsampling, fingerprints, dataset folders."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from frontdesk import FrontdeskError
from frontdesk_training.config import DataConfig
from frontdesk_training.data import (
    Example,
    fingerprint,
    load_splits,
    read_jsonl,
    stratified_split,
    subsample_per_label,
)
from frontdesk_training.errors import DataError


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def row(text: object, label: object = "a") -> str:
    return json.dumps({"text": text, "label": label})


def examples(counts: dict[str, int]) -> list[Example]:
    return [Example(f"{label} text {i}", label) for label, n in counts.items() for i in range(n)]


def write_dataset(folder: Path, splits: dict[str, list[Example]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, part in splits.items():
        write_lines(folder / f"{name}.jsonl", [row(e.text, e.label) for e in part])
    return folder


# --- read_jsonl ------------------------------------------------------------------------------


def test_read_jsonl_reads_rows_and_skips_blank_lines(tmp_path):
    path = write_lines(tmp_path / "d.jsonl", [row("hi", "greeting"), "", "   ", row("rain", "w")])
    assert read_jsonl(path) == [Example("hi", "greeting"), Example("rain", "w")]


def test_read_jsonl_custom_fields(tmp_path):
    path = write_lines(tmp_path / "d.jsonl", [json.dumps({"utterance": "hi", "intent": "g"})])
    assert read_jsonl(path, "utterance", "intent") == [Example("hi", "g")]


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ('{"text": "broken", ', "not valid JSON"),
        (json.dumps({"label": "a"}), "'text' must be a non-empty string"),
        (row(""), "'text' must be a non-empty string"),
        (row("   \t"), "'text' must be a non-empty string"),
        (row(42), "'text' must be a non-empty string"),
        (row("fine", 3), "'label' must be a non-empty string"),
        (row("fine", None), "'label' must be a non-empty string"),
        (row("fine", ""), "'label' must be a non-empty string"),
        ('["text", "label"]', "'text' must be a non-empty string"),
    ],
)
def test_read_jsonl_errors_name_file_and_line(tmp_path, bad_line, message):
    # Line 3 is bad; the blank line 2 still counts, so the number is the one an editor shows.
    path = write_lines(tmp_path / "d.jsonl", [row("ok"), "", bad_line, row("ok too")])
    with pytest.raises(DataError) as caught:
        read_jsonl(path)
    assert str(caught.value).startswith(f"{path}:3: ")
    assert message in str(caught.value)


def test_read_jsonl_missing_and_empty_files(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        read_jsonl(tmp_path / "missing.jsonl")
    empty = write_lines(tmp_path / "empty.jsonl", ["", ""])
    with pytest.raises(DataError, match="no examples"):
        read_jsonl(empty)


def test_data_error_is_a_value_error_and_a_frontdesk_error():
    assert issubclass(DataError, ValueError)
    assert issubclass(DataError, FrontdeskError)


# --- stratified_split ------------------------------------------------------------------------


def test_stratified_split_sizes_per_label():
    data = examples({"a": 20, "b": 10, "c": 5})
    keep, held = stratified_split(data, 0.2, seed=0)
    assert Counter(e.label for e in held) == {"a": 4, "b": 2, "c": 1}
    assert Counter(e.label for e in keep) == {"a": 16, "b": 8, "c": 4}


def test_stratified_split_is_a_partition():
    data = examples({"a": 13, "b": 7, "c": 2})
    keep, held = stratified_split(data, 0.3, seed=5)
    assert Counter(keep + held) == Counter(data)
    assert not set(keep) & set(held)


def test_stratified_split_is_deterministic_per_seed():
    data = examples({"a": 30, "b": 30})
    assert stratified_split(data, 0.25, seed=1) == stratified_split(data, 0.25, seed=1)
    assert stratified_split(data, 0.25, seed=1)[1] != stratified_split(data, 0.25, seed=2)[1]


@pytest.mark.parametrize("fraction", [0.01, 0.5, 0.99])
def test_every_label_with_two_examples_lands_in_both_parts(fraction):
    data = examples({"a": 2, "b": 3, "c": 40})
    keep, held = stratified_split(data, fraction, seed=0)
    assert {e.label for e in keep} == {"a", "b", "c"}
    assert {e.label for e in held} == {"a", "b", "c"}


def test_singleton_label_stays_in_the_kept_part():
    keep, held = stratified_split(examples({"a": 1, "b": 10}), 0.5, seed=0)
    assert [e.label for e in keep].count("a") == 1
    assert "a" not in {e.label for e in held}


# --- subsample_per_label ---------------------------------------------------------------------


def test_subsample_caps_each_label():
    data = examples({"a": 10, "b": 3, "c": 1})
    sample = subsample_per_label(data, 4, seed=0)
    assert Counter(e.label for e in sample) == {"a": 4, "b": 3, "c": 1}
    assert set(sample) <= set(data)
    assert len(set(sample)) == len(sample)


def test_subsample_is_deterministic_per_seed():
    data = examples({"a": 50})
    assert subsample_per_label(data, 5, 0) == subsample_per_label(data, 5, 0)
    assert subsample_per_label(data, 5, 0) != subsample_per_label(data, 5, 1)


# --- fingerprint -----------------------------------------------------------------------------


def test_fingerprint_changes_when_one_byte_changes(tmp_path):
    a = write_lines(tmp_path / "train.jsonl", [row("hello", "g")])
    b = write_lines(tmp_path / "test.jsonl", [row("rain", "w")])
    before = fingerprint([a, b])
    assert before.startswith("sha256:") and len(before) == len("sha256:") + 64
    assert fingerprint([b, a]) == before  # order of the paths does not matter
    b.write_bytes(b.read_bytes().replace(b"rain", b"rail"))
    assert fingerprint([a, b]) != before


def test_fingerprint_depends_on_file_names_not_folders(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "z").mkdir()
    one = write_lines(tmp_path / "x" / "train.jsonl", [row("hello", "g")])
    same = write_lines(tmp_path / "z" / "train.jsonl", [row("hello", "g")])
    renamed = write_lines(tmp_path / "z" / "test.jsonl", [row("hello", "g")])
    assert fingerprint([one]) == fingerprint([same])  # a moved dataset keeps its fingerprint
    assert fingerprint([one]) != fingerprint([renamed])


# --- load_splits -----------------------------------------------------------------------------


def test_load_splits_reads_all_three_files(tmp_path):
    train, val, test = examples({"a": 6, "b": 6}), examples({"a": 2, "b": 1}), examples({"b": 2})
    root = write_dataset(tmp_path / "d", {"train": train, "validation": val, "test": test})
    splits = load_splits(DataConfig(), seed=0, data_dir=root)
    assert (list(splits.train), list(splits.validation), list(splits.test)) == (train, val, test)
    assert splits.labels == ("a", "b")
    names = ("train", "validation", "test")
    assert splits.fingerprint == fingerprint(root / f"{n}.jsonl" for n in names)


def test_load_splits_uses_config_path_when_no_folder_is_given(tmp_path):
    root = write_dataset(tmp_path / "d", {"train": examples({"a": 4, "b": 4})})
    splits = load_splits(DataConfig(path=str(root)), seed=0)
    assert len(splits.train) + len(splits.validation) == 8


def test_load_splits_carves_validation_when_missing(tmp_path):
    train = examples({"a": 20, "b": 10})
    root = write_dataset(tmp_path / "d", {"train": train, "test": examples({"a": 2})})
    splits = load_splits(DataConfig(validation_fraction=0.2), seed=3, data_dir=root)
    assert Counter(e.label for e in splits.validation) == {"a": 4, "b": 2}
    assert Counter(splits.train + splits.validation) == Counter(train)
    assert not set(splits.train) & set(splits.validation)
    again = load_splits(DataConfig(validation_fraction=0.2), seed=3, data_dir=root)
    assert again.validation == splits.validation
    names = ("train", "test")
    assert splits.fingerprint == fingerprint(root / f"{n}.jsonl" for n in names)


def test_load_splits_without_test_file_has_empty_test(tmp_path):
    root = write_dataset(tmp_path / "d", {"train": examples({"a": 5, "b": 5})})
    assert load_splits(DataConfig(), seed=0, data_dir=root).test == ()


def test_load_splits_max_per_label_caps_train_only(tmp_path):
    root = write_dataset(
        tmp_path / "d",
        {"train": examples({"a": 10, "b": 10}), "validation": examples({"a": 5, "b": 5})},
    )
    splits = load_splits(DataConfig(max_per_label=3), seed=0, data_dir=root)
    assert Counter(e.label for e in splits.train) == {"a": 3, "b": 3}
    assert len(splits.validation) == 10


def test_unseen_label_in_test_raises(tmp_path):
    root = write_dataset(
        tmp_path / "d",
        {"train": examples({"a": 4, "b": 4}), "test": examples({"a": 1, "zebra": 1})},
    )
    with pytest.raises(DataError, match=r"never seen in train: \['zebra'\]"):
        load_splits(DataConfig(), seed=0, data_dir=root)


def test_unseen_label_in_validation_raises(tmp_path):
    root = write_dataset(
        tmp_path / "d",
        {"train": examples({"a": 4, "b": 4}), "validation": examples({"c": 1})},
    )
    with pytest.raises(DataError, match="'c'"):
        load_splits(DataConfig(), seed=0, data_dir=root)


def test_single_label_train_is_refused(tmp_path):
    root = write_dataset(tmp_path / "d", {"train": examples({"a": 5})})
    with pytest.raises(DataError, match="at least two labels"):
        load_splits(DataConfig(), seed=0, data_dir=root)


def test_missing_folder_and_missing_train(tmp_path):
    with pytest.raises(DataError, match="dataset folder not found"):
        load_splits(DataConfig(), seed=0, data_dir=tmp_path / "nope")
    root = write_dataset(tmp_path / "d", {"test": examples({"a": 1})})
    with pytest.raises(DataError, match="train.jsonl not found"):
        load_splits(DataConfig(), seed=0, data_dir=root)
