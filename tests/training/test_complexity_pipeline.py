"""The complexity pipeline end to end on tiny data: train, export, join an artifact, serve."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import numpy as np
import pytest

from frontdesk import IntentClassifier
from frontdesk.complexity import ComplexityClassifier
from frontdesk.complexity_features import FEATURE_NAMES
from frontdesk.manifest import read_manifest
from frontdesk_training.complexity_pipeline import build_signals, run_complexity
from frontdesk_training.config import ComplexityConfig, load_config
from frontdesk_training.errors import ExportError

SIMPLE = ["hello", "thanks", "hi there", "what is the weather", "good morning", "cheers"]
COMPLEX = [
    "prove step by step that the theorem holds",
    "derive and prove the bound rigorously",
    "analyze the trade-off and design a scalable architecture",
]


def _tiny_prompts(path: Path) -> Path:
    rng = random.Random(0)
    rows = []
    for i in range(60):
        rows.append({"text": rng.choice(SIMPLE), "label": "simple"})
        rows.append(
            {
                "text": " ".join(rng.choices(SIMPLE + COMPLEX, k=3)) + f" number {i}",
                "label": "standard",
            }
        )
        rows.append(
            {
                "text": " and ".join(rng.sample(COMPLEX, 3)) + " must hold " * (i % 4),
                "label": "complex",
            }
        )
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture(scope="module")
def tiny_cx(tmp_path_factory, tiny_base_model: Path):
    root = tmp_path_factory.mktemp("cx")
    data = _tiny_prompts(root / "prompts.jsonl")

    def config(output: Path, *extra: str) -> ComplexityConfig:
        return load_config(
            None,
            [
                f"base_model={tiny_base_model}",
                f"data.sources={{{data}: 1.0}}",
                f"export.output={output}",
                f"export.reports={output}-reports",
                "features.probe_dims=8",
                "features.probe_tokens=16",
                "features.cache_dir=",
                "train.epochs=60",
                "train.patience=15",
                *extra,
            ],
            ComplexityConfig,
        )

    return config


def test_complexity_head_starts_a_new_artifact_and_serves(tiny_cx, tmp_path: Path) -> None:
    run = run_complexity(tiny_cx(tmp_path / "art"))
    manifest = read_manifest(run.artifact)
    head = manifest.heads.complexity
    assert manifest.heads.intent is None and head is not None
    assert head.feature_names == FEATURE_NAMES and head.probe == "static_embedding"
    assert set(manifest.files) == {
        "complexity.onnx",
        "complexity_markers.json",
        "complexity_idf.json",
        "tokenizer.json",
    }
    assert run.metrics["torch_vs_onnx_max_abs_diff"] < 1e-4
    assert run.metrics["macro_f1"] > 0.6
    clf = ComplexityClassifier.load(run.artifact)
    easy, hard = clf.predict_batch(
        [
            "hello",
            "prove step by step that the theorem holds and analyze the trade-off and design it",
        ]
    )
    assert easy.score < hard.score
    assert (run.reports / "metrics.json").is_file() and (run.reports / "confusion.png").is_file()


def test_complexity_head_joins_the_intent_artifact(tiny_cx, tiny_run, tmp_path: Path) -> None:
    target = tmp_path / "both"
    shutil.copytree(tiny_run.artifact, target)
    before = read_manifest(target).files
    run_complexity(tiny_cx(target))
    after = read_manifest(target)
    assert after.heads.intent is not None and after.heads.complexity is not None
    assert {k: after.files[k] for k in before} == before  # intent files untouched
    IntentClassifier.load(target).predict("rain snow")
    ComplexityClassifier.load(target).predict("prove it")
    run_complexity(tiny_cx(target))  # re-running replaces the head, keeps the rest
    assert read_manifest(target).heads.intent == after.heads.intent


def test_training_and_serving_compute_identical_features(tiny_cx, tmp_path: Path) -> None:
    config = tiny_cx(tmp_path / "art")
    run = run_complexity(config)
    served = ComplexityClassifier.load(run.artifact)
    texts = ["hello", "prove step by step that x", "Analyze the trade-off!\n- a\n- b", "数学"]
    trained = build_signals(config, _base(config), _train_texts(config))
    np.testing.assert_array_equal(trained.extractor.transform_batch(texts), served.features(texts))


def _base(config: ComplexityConfig):
    from frontdesk_training.base_model import resolve_base_model

    return resolve_base_model(config.base_model)


def _train_texts(config: ComplexityConfig) -> list[str]:
    """The texts the IDF table was fitted on: re-derive them exactly as run_complexity does."""
    from frontdesk_training.complexity_data import TIERS, load_mixture
    from frontdesk_training.complexity_pipeline import stratified_indices

    rows = load_mixture(config.data.sources, split=config.data.split, seed=config.seed)
    y = np.array([TIERS.index(r.tier) for r in rows])
    rest, _ = stratified_indices(y, config.data.test_fraction, config.seed)
    inner, _ = stratified_indices(y[rest], config.data.validation_fraction, config.seed + 1)
    return [rows[i].text for i in rest[inner]]


def test_target_strong_share_sets_a_threshold(tiny_cx, tmp_path: Path) -> None:
    run = run_complexity(tiny_cx(tmp_path / "art", "policy.target_strong_share=0.3"))
    head = read_manifest(run.artifact).heads.complexity
    assert head.strong_share_target == 0.3 and 0.0 <= head.strong_threshold <= 1.0


def test_probe_can_be_turned_off(tiny_cx, tmp_path: Path) -> None:
    run = run_complexity(tiny_cx(tmp_path / "art", "features.probe=none"))
    clf = ComplexityClassifier.load(run.artifact)
    assert clf.head.probe == "none" and clf.predict("hello").tier in clf.classes_


def test_a_different_base_model_is_refused(tiny_cx, tiny_run, tmp_path: Path) -> None:
    target = tmp_path / "both"
    shutil.copytree(tiny_run.artifact, target)
    manifest = json.loads((target / "manifest.json").read_text())
    manifest["base_model"]["sha256"] = "f" * 64
    (target / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ExportError, match="one artifact shares one tokenizer"):
        run_complexity(tiny_cx(target))
