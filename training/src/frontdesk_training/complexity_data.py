"""Complexity (model-router) datasets: outcome benchmarks mapped onto three tiers.

The model router sends a request to the cheap (``simple``), standard (``standard``) or strongest
(``complex``) model. Tiers follow RouteLLM (Ong et al. 2024): *simple* = the weak model already
succeeds, *standard* = only the strong model succeeds, *complex* = neither succeeds. Where a
dataset has no per-model outcomes a documented proxy stands in; every cut is a module constant:

- ``mmlu_strong_weak`` (test): weak correct -> simple (``weak_only`` counts as simple, the cheap
  model was enough); strong only -> standard; both wrong -> complex. Group = MMLU subject.
- ``gsm8k`` test: the same outcome rule. ``gsm8k`` train has no outcomes, so the tier comes from the
  human solution's step count: ``n_steps <= 3`` simple, ``4-5`` standard, ``>= 6`` complex
  (``GSM8K_SIMPLE_MAX_STEPS``, ``GSM8K_STANDARD_MAX_STEPS``); qualities are None. GSM8K problems
  are independent, so each problem is its own group (a grouped split is then a plain random one).
- ``mtbench_strong_weak`` (test): qualities = judge score / 10. Simple if the weak score ties or
  beats the strong one; standard if the strong model is better and scores
  ``>= MTBENCH_STANDARD_MIN_STRONG_SCORE``; complex otherwise. Both turns are kept; a turn-2
  text is only the second user message and lacks the context of turn 1. Group = category.
- ``math_levels``: Level 1-2 simple, 3 standard, 4-5 complex (``MATH_*_MAX_LEVEL``); rows with a
  ``null`` level are dropped. Levels are relative *within competition math*: a Level 1 problem is
  already harder than typical chat arithmetic, so these tiers are not calibrated against chat
  traffic. Group = subject.
- ``arena_hard`` (test): every row complex (all were selected as hard); group = v2.0 subcategory,
  else v0.1 topic cluster, else category.
- ``embedded``: ``<repo>/data/complexity/prompts.jsonl`` (``text``, ``label`` in TIERS,
  optional ``domain`` = group), our hand-written data; it has no splits, ``split`` is ignored.

Rows marked ``routellm_contaminated: true`` are dropped everywhere: RouteLLM found those prompts in
its own router training data and drops them from its evaluation, so keeping them would make our
numbers incomparable with the published ones.
"""

from __future__ import annotations

import json
import math
import random
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from frontdesk_training.errors import DataError

TIERS = ("simple", "standard", "complex")

# <repo> = the folder holding training/; parents: frontdesk_training, src, training, <repo>.
REPO_ROOT = Path(__file__).resolve().parents[3]
SHARED_DATA_ROOT = REPO_ROOT.parent / "shared" / "data"
EMBEDDED_ROOT = REPO_ROOT / "data" / "complexity"
EMBEDDED_FILE = "prompts.jsonl"

# GSM8K train (no outcomes): the test split's outcomes by step count (stats.json) show the strong
# model's edge growing from ~20% of problems at 2-3 steps to over half at 6+ steps.
GSM8K_SIMPLE_MAX_STEPS = 3  # 2-3 reasoning lines: the cheap model usually solves them
GSM8K_STANDARD_MAX_STEPS = 5  # 4-5 lines; 6 or more -> complex
# MT-Bench judge scores are 1-10; qualities are score / MTBENCH_SCORE_SCALE in [0, 1].
MTBENCH_SCORE_SCALE = 10.0
MTBENCH_STANDARD_MIN_STRONG_SCORE = 7.0  # strong better *and* good: the strong model "succeeds"
# MATH levels 1-5 (relative within competition math).
MATH_SIMPLE_MAX_LEVEL = 2  # Level 1-2 -> simple
MATH_STANDARD_MAX_LEVEL = 3  # Level 3 -> standard; 4-5 -> complex


@dataclass(frozen=True)
class ComplexityExample:
    """One request with its tier and, when the source recorded them, the two models' outcomes."""

    text: str
    tier: str
    source: str
    group: str
    weak_quality: float | None = None
    strong_quality: float | None = None

    def __post_init__(self) -> None:
        if self.tier not in TIERS:
            raise ValueError(f"tier must be one of {TIERS}, got {self.tier!r}")


class _BadRow(Exception):
    """A row lacks a field or has a wrong value; the reader adds file:line."""


Converter = Callable[[Mapping[str, Any], str, int], ComplexityExample | None]


@dataclass(frozen=True)
class Source:
    """A known dataset: where it lives and how one JSON row becomes an example (None = dropped)."""

    folder: str  # under the shared data root
    splits: tuple[str, ...]
    convert: Converter
    shared: bool = True


def _get(row: Mapping[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    value = row.get(key)
    # bool is an int subclass; a JSON true must not pass as a step count, level or score.
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise _BadRow(f"field {key!r} must be {_kind_name(kind)}, got {value!r:.60}")
    return value


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(k.__name__ for k in kinds)


def _text(row: Mapping[str, Any]) -> str:
    text = _get(row, "text", str)
    if not text.strip():
        raise _BadRow("field 'text' is empty")
    return text


def _contaminated(row: Mapping[str, Any]) -> bool:
    return bool(row.get("routellm_contaminated", False))


def _outcome_tier(weak: bool, strong: bool) -> str:
    """RouteLLM's rule: the cheapest model that succeeds; weak-only wins count as simple."""
    if weak:
        return "simple"
    return "standard" if strong else "complex"


def _steps_tier(steps: int) -> str:
    if steps <= GSM8K_SIMPLE_MAX_STEPS:
        return "simple"
    return "standard" if steps <= GSM8K_STANDARD_MAX_STEPS else "complex"


def _embedded(source: str) -> Converter:
    def convert(row: Mapping[str, Any], split: str, number: int) -> ComplexityExample:
        label = row.get("label")
        if label not in TIERS:
            raise _BadRow(f"field 'label' must be one of {TIERS}, got {label!r:.60}")
        domain = row.get("domain")
        if domain is not None and not isinstance(domain, str):
            raise _BadRow(f"field 'domain' must be a string, got {domain!r:.60}")
        return ComplexityExample(_text(row), label, source, domain or source)

    return convert


def _mmlu(row: Mapping[str, Any], split: str, number: int) -> ComplexityExample | None:
    if _contaminated(row):
        return None
    weak, strong = _get(row, "weak_correct", bool), _get(row, "strong_correct", bool)
    return ComplexityExample(
        _text(row),
        _outcome_tier(weak, strong),
        "mmlu_strong_weak",
        _get(row, "subject", str),
        float(weak),
        float(strong),
    )


def _gsm8k(row: Mapping[str, Any], split: str, number: int) -> ComplexityExample | None:
    """Outcome tiers where RouteLLM has a record (test); step-count tiers otherwise (train)."""
    if _contaminated(row):
        return None
    text, group = _text(row), f"gsm8k/{split}/{number}"
    if "weak_correct" in row or "strong_correct" in row:
        weak, strong = _get(row, "weak_correct", bool), _get(row, "strong_correct", bool)
        return ComplexityExample(
            text, _outcome_tier(weak, strong), "gsm8k", group, float(weak), float(strong)
        )
    return ComplexityExample(text, _steps_tier(_get(row, "n_steps", int)), "gsm8k", group)


def _mtbench(row: Mapping[str, Any], split: str, number: int) -> ComplexityExample | None:
    if _contaminated(row):
        return None
    weak = _get(row, "weak_score", (int, float)) / MTBENCH_SCORE_SCALE
    strong = _get(row, "strong_score", (int, float)) / MTBENCH_SCORE_SCALE
    if weak >= strong:
        tier = "simple"
    elif strong * MTBENCH_SCORE_SCALE >= MTBENCH_STANDARD_MIN_STRONG_SCORE:
        tier = "standard"
    else:
        tier = "complex"
    category = _get(row, "category", str)
    return ComplexityExample(_text(row), tier, "mtbench_strong_weak", category, weak, strong)


def _math(row: Mapping[str, Any], split: str, number: int) -> ComplexityExample | None:
    level = row.get("label")
    if level is None:  # "Level ?" in the source
        return None
    level = _get(row, "label", int)
    if not 1 <= level <= 5:
        raise _BadRow(f"field 'label' must be a level 1-5, got {level}")
    if level <= MATH_SIMPLE_MAX_LEVEL:
        tier = "simple"
    else:
        tier = "standard" if level <= MATH_STANDARD_MAX_LEVEL else "complex"
    return ComplexityExample(_text(row), tier, "math_levels", _get(row, "subject", str))


def _arena(row: Mapping[str, Any], split: str, number: int) -> ComplexityExample | None:
    group = row.get("subcategory") or row.get("cluster") or row.get("category")
    if not isinstance(group, str):
        raise _BadRow("needs a string 'subcategory', 'cluster' or 'category' as its group")
    return ComplexityExample(_text(row), "complex", "arena_hard", group)


SOURCES: dict[str, Source] = {
    "embedded": Source("", (), _embedded("embedded"), shared=False),  # one file, no splits
    "mmlu_strong_weak": Source("mmlu_strong_weak", ("test",), _mmlu),
    "gsm8k": Source("gsm8k", ("train", "test"), _gsm8k),
    "mtbench_strong_weak": Source("mtbench_strong_weak", ("test",), _mtbench),
    "math_levels": Source("math_levels", ("train", "test"), _math),
    "arena_hard": Source("arena_hard", ("test",), _arena),
}


def _rows(path: Path) -> Iterator[tuple[int, Mapping[str, Any]]]:
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
            if not isinstance(row, dict):
                raise DataError(f"{path}:{number}: expected a JSON object")
            yield number, row


def _read(path: Path, convert: Converter, split: str) -> list[ComplexityExample]:
    examples = []
    for number, row in _rows(path):
        try:
            example = convert(row, split, number)
        except _BadRow as exc:
            raise DataError(f"{path}:{number}: {exc}") from None
        if example is not None:
            examples.append(example)
    if not examples:
        raise DataError(f"{path}: no examples")
    return examples


def load_source(
    name: str, *, split: str = "test", root: Path | None = None
) -> list[ComplexityExample]:
    """Examples of one registered dataset, or of a JSONL file / folder in the embedded format.

    ``root`` replaces the default folder: ``../shared/data`` beside the repository for shared
    datasets, ``<repo>/data/complexity`` for ``embedded``. A folder path reads
    ``<folder>/<split>.jsonl``, or ``<folder>/prompts.jsonl`` when that split file is absent; its
    ``source`` is the file stem or folder name.
    """
    source = SOURCES.get(name)
    if source is None:
        return _load_path(name, split)
    if not source.shared:
        return _read((root or EMBEDDED_ROOT) / EMBEDDED_FILE, source.convert, split)
    if split not in source.splits:
        raise DataError(f"{name}: no {split!r} split (available: {', '.join(source.splits)})")
    path = (root or SHARED_DATA_ROOT) / source.folder / f"{split}.jsonl"
    return _read(path, source.convert, split)


def _load_path(name: str, split: str) -> list[ComplexityExample]:
    path = Path(name)
    if path.is_file():
        return _read(path, _embedded(path.stem), split)
    if path.is_dir():
        for candidate in (path / f"{split}.jsonl", path / EMBEDDED_FILE):
            if candidate.is_file():
                return _read(candidate, _embedded(path.name), split)
        raise DataError(f"{path}: neither {split}.jsonl nor {EMBEDDED_FILE} found")
    raise DataError(
        f"unknown complexity source {name!r}: not a registered name ({', '.join(SOURCES)}) "
        f"nor an existing file or folder"
    )


def load_mixture(
    weights: Mapping[str, float],
    *,
    split: str = "test",
    seed: int = 0,
    root: Path | None = None,
) -> list[ComplexityExample]:
    """Weighted mixture of sources, grouped by source in the order of ``weights``.

    A weight ``w <= 1`` samples ``round(w * n)`` rows without replacement; ``w > 1`` repeats the
    whole source ``int(w)`` times plus a sample for the fraction; ``0`` leaves the source out.
    Each source draws from its own generator seeded by ``(seed, name)``, so adding or reordering
    sources does not change the rows drawn from the others.
    """
    for name, weight in weights.items():
        if name not in SOURCES and not Path(name).exists():
            raise DataError(f"unknown complexity source {name!r} (known: {', '.join(SOURCES)})")
        if not math.isfinite(weight) or weight < 0:
            raise ValueError(f"weight of {name!r} must be a finite number >= 0, got {weight}")
    mixture: list[ComplexityExample] = []
    for name, weight in weights.items():
        if weight == 0:
            continue
        rows = load_source(name, split=split, root=root)
        rng = random.Random(f"{seed}:{name}")
        copies, fraction = divmod(weight, 1.0) if weight > 1 else (0.0, weight)
        mixture.extend(rows * int(copies))
        mixture.extend(rng.sample(rows, min(round(fraction * len(rows)), len(rows))))
    return mixture


def grouped_split(
    examples: Sequence[ComplexityExample], test_fraction: float, seed: int
) -> tuple[list[ComplexityExample], list[ComplexityExample]]:
    """Hold out whole groups (keyed by source and group) for about ``test_fraction`` of rows.

    Held-out subjects measure whether the router generalises to topics it never saw, which a
    row-level split over e.g. MMLU would hide. Groups are visited in a seeded order and one is
    taken whenever that brings the held-out row count closer to the target. Both parts keep the
    input order.
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    sizes: dict[tuple[str, str], int] = defaultdict(int)
    for e in examples:
        sizes[(e.source, e.group)] += 1
    if len(sizes) < 2:
        raise DataError(f"grouped_split needs at least two groups, found {len(sizes)}")
    order = sorted(sizes)
    random.Random(seed).shuffle(order)
    target, count = test_fraction * len(examples), 0
    held: set[tuple[str, str]] = set()
    for key in order:
        if abs(count + sizes[key] - target) < abs(count - target):
            held.add(key)
            count += sizes[key]
    if not held:  # every group alone overshoots the target: take the smallest
        held.add(min(order, key=lambda k: sizes[k]))
    if len(held) == len(sizes):
        held.discard(max(order, key=lambda k: sizes[k]))
    train = [e for e in examples if (e.source, e.group) not in held]
    test = [e for e in examples if (e.source, e.group) in held]
    return train, test
