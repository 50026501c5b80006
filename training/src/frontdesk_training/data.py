"""Labeled-text datasets: JSONL reading, stratified seeded splits, fingerprints.

A dataset is a folder with ``train.jsonl`` and optionally ``validation.jsonl`` and
``test.jsonl``; each line is a JSON object with a text field and a label field (the shared
datasets' format). A missing validation split is carved out of train, stratified and seeded.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from frontdesk_training.config import DataConfig
from frontdesk_training.errors import DataError


@dataclass(frozen=True)
class Example:
    """One labeled text."""

    text: str
    label: str


@dataclass(frozen=True)
class Splits:
    """Train / validation / test examples and a fingerprint of the files they came from."""

    train: tuple[Example, ...]
    validation: tuple[Example, ...]
    test: tuple[Example, ...]
    fingerprint: str

    @property
    def labels(self) -> tuple[str, ...]:
        """Sorted label set of the training split (the model's classes)."""
        return tuple(sorted({e.label for e in self.train}))


def read_jsonl(path: Path, text_field: str = "text", label_field: str = "label") -> list[Example]:
    """Read one JSONL file; any bad line raises :class:`DataError` with its line number."""
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    examples = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
            text = row.get(text_field) if isinstance(row, dict) else None
            label = row.get(label_field) if isinstance(row, dict) else None
            if not isinstance(text, str) or not text.strip():
                raise DataError(f"{path}:{number}: {text_field!r} must be a non-empty string")
            if not isinstance(label, str) or not label:
                raise DataError(f"{path}:{number}: {label_field!r} must be a non-empty string")
            examples.append(Example(text, label))
    if not examples:
        raise DataError(f"{path}: no examples")
    return examples


def stratified_split(
    examples: Sequence[Example], fraction: float, seed: int
) -> tuple[list[Example], list[Example]]:
    """Split off ``fraction`` of each label (at least one when a label has two or more)."""
    rng = random.Random(seed)
    keep: list[Example] = []
    held: list[Example] = []
    for _, group in sorted(_by_label(examples).items()):
        group = list(group)
        rng.shuffle(group)
        n = round(len(group) * fraction)
        n = min(max(n, 1), len(group) - 1) if len(group) >= 2 else 0
        held.extend(group[:n])
        keep.extend(group[n:])
    return keep, held


def subsample_per_label(examples: Sequence[Example], k: int, seed: int) -> list[Example]:
    """At most ``k`` examples per label, chosen with ``seed`` (few-shot runs, fast tests)."""
    rng = random.Random(seed)
    out: list[Example] = []
    for _, group in sorted(_by_label(examples).items()):
        out.extend(rng.sample(group, k) if len(group) > k else group)
    return out


def _by_label(examples: Iterable[Example]) -> dict[str, list[Example]]:
    groups: dict[str, list[Example]] = defaultdict(list)
    for e in examples:
        groups[e.label].append(e)
    return groups


def fingerprint(paths: Iterable[Path]) -> str:
    """sha256 over the names and bytes of the files a model was trained on."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return "sha256:" + digest.hexdigest()


def load_splits(config: DataConfig, seed: int, data_dir: str | Path | None = None) -> Splits:
    """Load the dataset folder named by ``data_dir`` or ``config.path``."""
    root = Path(data_dir if data_dir is not None else config.path)
    if not root.is_dir():
        raise DataError(f"{root}: dataset folder not found")

    def read(name: str) -> list[Example] | None:
        path = root / f"{name}.jsonl"
        return read_jsonl(path, config.text_field, config.label_field) if path.exists() else None

    train = read("train")
    if train is None:
        raise DataError(f"{root}: train.jsonl not found")
    validation = read("validation")
    if validation is None:
        train, validation = stratified_split(train, config.validation_fraction, seed)
    if config.max_per_label is not None:
        train = subsample_per_label(train, config.max_per_label, seed)
    test = read("test") or []
    _check_labels(root, train, validation + test)
    used = [root / f"{n}.jsonl" for n in ("train", "validation", "test")]
    return Splits(
        tuple(train), tuple(validation), tuple(test), fingerprint(p for p in used if p.exists())
    )


def _check_labels(root: Path, train: Sequence[Example], other: Sequence[Example]) -> None:
    known = {e.label for e in train}
    if len(known) < 2:
        raise DataError(f"{root}: train.jsonl needs at least two labels, found {sorted(known)}")
    unseen = sorted({e.label for e in other} - known)
    if unseen:
        raise DataError(f"{root}: labels in validation/test never seen in train: {unseen[:10]}")
