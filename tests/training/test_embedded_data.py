"""The data shipped in the repository: data/intents and data/complexity."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from frontdesk_training.data import read_jsonl

SPLITS = ("train", "validation", "test")
MIN_INTENTS = 14
MIN_PER_INTENT = 60
TIERS = {"simple", "standard", "complex"}


@pytest.fixture(scope="module")
def intents(repo_root: Path) -> dict[str, list]:
    return {name: read_jsonl(repo_root / "data" / "intents" / f"{name}.jsonl") for name in SPLITS}


@pytest.fixture(scope="module")
def prompts(repo_root: Path) -> list[dict]:
    path = repo_root / "data" / "complexity" / "prompts.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_intents_cover_enough_labels_plus_oos(intents):
    labels = {e.label for e in intents["train"]}
    assert "oos" in labels
    assert len(labels - {"oos"}) >= MIN_INTENTS, sorted(labels)


def test_every_label_is_in_every_split(intents):
    per_split = {name: {e.label for e in part} for name, part in intents.items()}
    assert per_split["train"] == per_split["validation"] == per_split["test"]


def test_every_intent_has_enough_examples(intents):
    counts = Counter(e.label for part in intents.values() for e in part)
    small = {label: n for label, n in counts.items() if n < MIN_PER_INTENT}
    assert not small, f"labels under {MIN_PER_INTENT} examples: {small}"


def test_no_text_is_in_two_splits(intents):
    def norm(text: str) -> str:
        return " ".join(text.lower().split())

    texts = {name: {norm(e.text) for e in part} for name, part in intents.items()}
    for i, a in enumerate(SPLITS):
        for b in SPLITS[i + 1 :]:
            shared = texts[a] & texts[b]
            assert not shared, f"{a} and {b} share {len(shared)} texts, e.g. {sorted(shared)[:3]}"


def test_no_text_is_repeated_within_a_split(intents):
    for name, part in intents.items():
        repeated = [t for t, n in Counter(e.text for e in part).items() if n > 1]
        assert not repeated, f"{name}: repeated texts {repeated[:3]}"


def test_opening_hours_static_answer_intent_exists(intents):
    examples = [e for e in intents["train"] if e.label == "opening_hours"]
    assert examples
    assert any(word in e.text.lower() for e in examples for word in ("open", "hours", "close")), (
        "opening_hours examples should ask when the service is available"
    )


def test_complexity_prompts_are_large_enough(prompts):
    assert len(prompts) >= 600


def test_complexity_labels_are_tiers_with_enough_of_each(prompts):
    counts = Counter(p["label"] for p in prompts)
    assert set(counts) == TIERS
    assert all(counts[tier] >= 200 for tier in TIERS), counts


def test_complexity_prompts_have_text(prompts):
    assert all(isinstance(p.get("text"), str) and p["text"].strip() for p in prompts)
    assert len({p["text"] for p in prompts}) == len(prompts), "duplicate prompts"
