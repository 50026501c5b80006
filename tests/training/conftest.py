"""Tiny synthetic fixtures for the training tests (STYLE item 17).

Everything is built offline under ``tmp_path_factory``: a word-level tokenizer over ~60 words, a
random 2-layer BERT saved as safetensors, a 4-label dataset whose labels are separable by
vocabulary, and one session-scoped training run on them that takes a few seconds.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

WORDS = {
    "weather": "rain sunny forecast cloudy snow wind storm temperature umbrella fog".split(),
    "billing": "invoice refund charge payment bill card price fee receipt money".split(),
    "greeting": "hello hi hey morning thanks greetings howdy welcome goodbye cheers".split(),
    "oos": "banana guitar rocket piano elephant pencil castle river garden mountain".split(),
}
FILLER = (
    "the a is my please what about today tomorrow for you me i need there good will it be and"
).split()
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
VOCAB = SPECIAL + [w for words in WORDS.values() for w in words] + FILLER
LABELS = tuple(sorted(WORDS))
SIZES = {"train": 40, "validation": 12, "test": 12}

# Texts that any working model trained on the tiny dataset must get right.
OBVIOUS = {
    "weather": "rain snow storm forecast today",
    "billing": "refund my invoice payment please",
    "greeting": "hello hi hey cheers",
}


def make_text(rng: random.Random, label: str) -> str:
    """3-5 words of ``label``'s vocabulary and one filler word, shuffled."""
    words = rng.sample(WORDS[label], rng.randint(3, 5)) + [rng.choice(FILLER)]
    rng.shuffle(words)
    return " ".join(words)


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def build_tokenizer():
    from tokenizers import Tokenizer, normalizers, pre_tokenizers, processors
    from tokenizers.models import WordLevel

    vocab = {w: i for i, w in enumerate(VOCAB)}
    tokenizer = Tokenizer(WordLevel(vocab, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.Lowercase()
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])],
    )
    return tokenizer


@pytest.fixture(scope="session")
def tiny_base_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Hugging Face style folder: tokenizer.json, config.json, model.safetensors (random BERT)."""
    import torch
    from transformers import BertConfig, BertModel

    folder = tmp_path_factory.mktemp("tiny-bert")
    build_tokenizer().save(str(folder / "tokenizer.json"))
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(VOCAB),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
        pad_token_id=0,
    )
    BertModel(config).save_pretrained(str(folder), safe_serialization=True)
    assert (folder / "model.safetensors").is_file()
    return folder


def make_splits(seed: int = 0) -> dict[str, list[dict[str, object]]]:
    """Rows per split; texts are unique across the whole dataset."""
    rng = random.Random(seed)
    seen: set[str] = set()
    splits: dict[str, list[dict[str, object]]] = {name: [] for name in SIZES}
    for name, size in SIZES.items():
        for label in LABELS:
            count = 0
            while count < size:
                text = make_text(rng, label)
                if text not in seen:
                    seen.add(text)
                    splits[name].append({"text": text, "label": label})
                    count += 1
        rng.shuffle(splits[name])
    return splits


@pytest.fixture(scope="session")
def tiny_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """train / validation / test JSONL for weather, billing, greeting and oos."""
    folder = tmp_path_factory.mktemp("tiny-data")
    for name, rows in make_splits().items():
        write_jsonl(folder / f"{name}.jsonl", rows)
    return folder


@pytest.fixture(scope="session")
def tiny_overrides(tiny_base_model: Path, tiny_dataset: Path) -> list[str]:
    """Overrides that point the default config at the tiny model and data (no output paths)."""
    return [
        f"model.base_model={tiny_base_model}",
        f"data.path={tiny_dataset}",
        "model.max_length=16",
        "model.max_chars=64",
        "train.epochs=3",
        "train.batch_size=8",
        "train.learning_rate=0.001",
        "train.head_learning_rate=0.01",
        "train.warmup_ratio=0.0",
        "train.patience=3",
        "train.threads=1",
        "export.max_int8_drop=0.1",
    ]


@pytest.fixture(scope="session")
def tiny_config(tiny_overrides: list[str]):
    """``tiny_config(root, *extra)``: the tiny config writing under ``root``.

    The artifact goes to ``root/out/artifact`` (alone in its parent, so leftovers show) and the
    reports to ``root/reports``; ``extra`` overrides come last and win.
    """
    from frontdesk_training.config import load_config

    def make(root: Path, *extra: str):
        return load_config(
            None,
            [
                *tiny_overrides,
                f"export.output={root / 'out' / 'artifact'}",
                f"export.reports={root / 'reports'}",
                *extra,
            ],
        )

    return make


@pytest.fixture(scope="session")
def run_tiny():
    """``run_tiny(config)``: run_intent, then restore torch's thread count.

    The tiny config sets ``train.threads=1`` (light on a shared machine); run_intent applies it
    process-wide, which must not leak into tests that run later in the same process.
    """
    import torch

    from frontdesk_training.intent_pipeline import run_intent

    def run(config):
        threads = torch.get_num_threads()
        try:
            return run_intent(config)
        finally:
            torch.set_num_threads(threads)

    return run


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory: pytest.TempPathFactory, tiny_config, run_tiny):
    """One full run_intent on the tiny model and data (a few seconds); returns the IntentRun."""
    return run_tiny(tiny_config(tmp_path_factory.mktemp("tiny-run")))


@pytest.fixture(scope="session")
def tiny_labels() -> tuple[str, ...]:
    """The dataset's labels, sorted (the classes a model trained on it has)."""
    return LABELS


@pytest.fixture(scope="session")
def tiny_vocab() -> list[str]:
    """The tokenizer vocabulary in id order."""
    return list(VOCAB)


@pytest.fixture(scope="session")
def obvious_texts() -> dict[str, str]:
    """In-scope texts (label -> text) that any model trained on the tiny data gets right."""
    return dict(OBVIOUS)
