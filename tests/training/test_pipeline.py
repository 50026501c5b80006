"""End to end on the tiny fixtures: train -> calibrate -> export -> artifact the runtime serves."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

import frontdesk_training
from frontdesk import ConfigError, IntentClassifier
from frontdesk._schema import build
from frontdesk.manifest import SCHEMA_VERSION
from frontdesk_training.cli import main
from frontdesk_training.config import IntentConfig
from frontdesk_training.data import fingerprint, read_jsonl
from frontdesk_training.errors import ExportError

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def raw_manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def classifier(tiny_run) -> IntentClassifier:
    return IntentClassifier.load(tiny_run.artifact)


# --- the artifact in the runtime -------------------------------------------------------------


def test_artifact_loads_in_runtime_with_sorted_labels(classifier, tiny_labels):
    assert classifier.classes_ == tuple(sorted(tiny_labels))
    assert classifier.head.oos_label == "oos"
    probs = classifier.predict_proba(["rain", "hello there", "refund my card"])
    assert probs.shape == (3, len(tiny_labels))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)


def test_obvious_in_scope_texts_are_classified(classifier, obvious_texts):
    predictions = {label: classifier.predict(text) for label, text in obvious_texts.items()}
    assert {label: p.label for label, p in predictions.items()} == {
        label: label for label in obvious_texts
    }
    assert not any(p.is_fallback for p in predictions.values())


def test_out_of_scope_text_falls_back(classifier):
    prediction = classifier.predict("banana guitar piano castle river")
    assert prediction.is_fallback
    assert prediction.label == "oos"
    assert prediction.fallback_reason == "out_of_scope"


def test_served_tokenizer_is_the_base_tokenizer_with_manifest_settings(classifier, tiny_vocab):
    encoder = classifier.artifact.encoder
    ids, mask = encoder.encode(["Hello RAIN"])
    index = {w: i for i, w in enumerate(tiny_vocab)}
    assert ids.tolist() == [[index["[CLS]"], index["hello"], index["rain"], index["[SEP]"]]]
    assert mask.tolist() == [[1, 1, 1, 1]]
    assert encoder.count_tokens(" ".join(["rain"] * 40)) == 16  # model.max_length=16


def test_runtime_decisions_reproduce_exported_int8_metrics(tiny_run, tiny_dataset, classifier):
    test = read_jsonl(tiny_dataset / "test.jsonl")
    predictions = classifier.predict_batch([e.text for e in test])
    in_scope = [(e, p) for e, p in zip(test, predictions, strict=True) if e.label != "oos"]
    accuracy = np.mean([p.label == e.label and not p.is_fallback for e, p in in_scope])
    recorded = tiny_run.metrics["int8"]["in_scope_accuracy"]
    assert abs(accuracy - recorded) <= 1 / len(in_scope) + 1e-9
    assert recorded >= 0.75  # the tiny model learned the separable labels


# --- manifest --------------------------------------------------------------------------------


def test_manifest_pins_base_model_and_tokenizer(tiny_run, tiny_base_model):
    manifest = raw_manifest(tiny_run.artifact)
    assert manifest["schema_version"] == SCHEMA_VERSION
    assert manifest["package_version"] == frontdesk_training.__version__
    assert manifest["base_model"]["sha256"] == sha256(tiny_base_model / "model.safetensors")
    assert manifest["base_model"]["source"] == f"path:{tiny_base_model}"
    assert manifest["tokenizer"] == {
        "file": "tokenizer.json",
        "max_length": 16,
        "truncation_side": "right",
        "max_chars": 64,
        "pad_token_id": 0,
    }


def test_manifest_quantization_recipe_is_per_channel_int8(tiny_run):
    recipe = raw_manifest(tiny_run.artifact)["heads"]["intent"]["quantization"]
    assert recipe == {
        "mode": "dynamic_int8",
        "per_channel": True,
        "weight_type": "QInt8",
        "opset": 17,
        "onnxruntime_version": ort.__version__,
    }


def test_manifest_records_fp32_and_int8_metrics(tiny_run, tiny_labels):
    head = raw_manifest(tiny_run.artifact)["heads"]["intent"]
    metrics = head["metrics"]
    assert metrics["split"] == "test"
    for graph in ("fp32", "int8"):
        assert metrics[graph]["n"] == 12 * len(tiny_labels)
        assert 0.0 <= metrics[graph]["in_scope_accuracy"] <= 1.0
        assert metrics[graph]["accuracy"] == pytest.approx(tiny_run.metrics[graph]["accuracy"])
    assert 1 <= metrics["best_epoch"] <= 3
    assert 0.0 <= head["threshold"] <= 1.0
    assert head["temperature"] > 0
    assert head["threshold_rule"].startswith("threshold <= 0.9 with the best validation OOS recall")


def test_manifest_data_fingerprint_matches_dataset(tiny_run, tiny_dataset):
    head = raw_manifest(tiny_run.artifact)["heads"]["intent"]
    files = [tiny_dataset / f"{n}.jsonl" for n in ("train", "validation", "test")]
    assert head["data_fingerprint"] == fingerprint(files)
    assert head["data_fingerprint"].startswith("sha256:")


def test_manifest_config_rebuilds_the_run(tiny_run, tiny_base_model, tiny_dataset):
    stored = raw_manifest(tiny_run.artifact)["heads"]["intent"]["config"]
    config = build(IntentConfig, stored, ConfigError)
    assert config.to_dict() == stored
    assert config.model.base_model == str(tiny_base_model)
    assert config.data.path == str(tiny_dataset)
    assert (config.train.epochs, config.train.batch_size) == (3, 8)
    assert config.export.output == str(tiny_run.artifact)


def test_manifest_pins_every_file_by_sha256(tiny_run):
    manifest = raw_manifest(tiny_run.artifact)
    assert set(manifest["files"]) == {"intent.onnx", "tokenizer.json"}
    on_disk = {p.name for p in tiny_run.artifact.iterdir()}
    assert on_disk == set(manifest["files"]) | {"manifest.json"}
    for name, digest in manifest["files"].items():
        assert sha256(tiny_run.artifact / name) == digest, name


# --- parity ----------------------------------------------------------------------------------


def test_torch_vs_onnx_fp32_parity(tiny_run):
    diff = tiny_run.metrics["torch_vs_onnx_max_abs_diff"]
    assert 0.0 <= diff < 1e-4
    recorded = raw_manifest(tiny_run.artifact)["heads"]["intent"]["metrics"]
    assert recorded["torch_vs_onnx_max_abs_diff"] == pytest.approx(diff)


def test_fp32_vs_int8_agreement_is_recorded_within_bound(tiny_run):
    parity = raw_manifest(tiny_run.artifact)["heads"]["intent"]["metrics"]["parity"]
    assert set(parity) >= {
        "fp32_accuracy",
        "int8_accuracy",
        "label_agreement",
        "max_abs_diff",
        "drop",
    }
    assert 0.9 <= parity["label_agreement"] <= 1.0
    assert parity["drop"] == pytest.approx(parity["fp32_accuracy"] - parity["int8_accuracy"])
    assert parity["drop"] <= 0.1  # export.max_int8_drop of the tiny config


# --- reports ---------------------------------------------------------------------------------


def test_reports_folder_has_metrics_text_and_pngs(tiny_run, tiny_labels):
    folder = tiny_run.reports
    document = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    assert set(document["test"]) == {"fp32", "int8"}
    assert 1 <= len(document["history"]["epochs"]) <= 3
    assert set(document["per_class"]) == set(tiny_labels)
    report = (folder / "classification_report.txt").read_text(encoding="utf-8")
    assert all(label in report for label in tiny_labels)
    assert "in_scope_accuracy" in report
    for name in ("confusion.png", "reliability.png"):
        assert (folder / name).read_bytes()[:8] == PNG_MAGIC, name


# --- rewrites, refusals, options -------------------------------------------------------------


@pytest.fixture(scope="module")
def rerun(tiny_run, tiny_config, run_tiny, tmp_path_factory):
    """Copy the tiny artifact aside (plus a stale file), then export again into it, unquantized."""
    root = tmp_path_factory.mktemp("rerun")
    config = tiny_config(root, "export.quantize=false")
    target = Path(config.export.output)
    shutil.copytree(tiny_run.artifact, target)
    (target / "stale.txt").write_text("from the previous export")
    before = raw_manifest(target)
    run = run_tiny(config)
    return run, before


def test_rerun_replaces_artifact_atomically(rerun):
    run, before = rerun
    parent = run.artifact.parent
    assert [p.name for p in parent.iterdir()] == [run.artifact.name]  # no temp or .old folders
    assert not (run.artifact / "stale.txt").exists()
    after = raw_manifest(run.artifact)
    assert (
        after["heads"]["intent"]["quantization"]["mode"]
        != before["heads"]["intent"]["quantization"]["mode"]
    )
    IntentClassifier.load(run.artifact)  # validates every pinned sha256


def test_quantize_false_serves_fp32_graph(rerun, obvious_texts):
    run, _ = rerun
    head = raw_manifest(run.artifact)["heads"]["intent"]
    assert head["quantization"]["mode"] == "none"
    assert set(run.metrics) == {"fp32", "torch_vs_onnx_max_abs_diff"}
    classifier = IntentClassifier.load(run.artifact)
    assert classifier.head.quantization.mode == "none"
    assert classifier.head.quantization.per_channel is False
    assert classifier.predict(obvious_texts["billing"]).label == "billing"


def test_int8_drop_over_bound_refuses_export(tiny_config, run_tiny, tmp_path):
    config = tiny_config(tmp_path, "export.max_int8_drop=-1")
    with pytest.raises(ExportError, match="max_int8_drop"):
        run_tiny(config)
    output = Path(config.export.output)
    assert not output.exists()
    assert not output.parent.exists() or not any(output.parent.iterdir())


def test_wrong_base_model_sha256_is_refused(tiny_config, run_tiny, tmp_path):
    wrong = hashlib.sha256(b"other weights").hexdigest()
    config = tiny_config(tmp_path, f"model.base_model_sha256={wrong}")
    with pytest.raises(ConfigError, match=f"sha256 is [0-9a-f]{{64}}, expected {wrong}"):
        run_tiny(config)
    assert not Path(config.export.output).exists()


# --- command line ----------------------------------------------------------------------------


@pytest.fixture
def offline(monkeypatch):
    """main() sets the hub-offline variables with setdefault; keep them scoped to the test."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")


def test_cli_missing_data_folder_exits_2(tiny_base_model, tmp_path, capsys, offline):
    missing = tmp_path / "no-such-data"
    code = main(
        [
            "intent",
            "--data",
            str(missing),
            "--output",
            str(tmp_path / "artifact"),
            "--set",
            f"model.base_model={tiny_base_model}",
            "--set",
            f"export.reports={tmp_path / 'reports'}",
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("frontdesk-train: error:")
    assert str(missing) in err and "not found" in err
    assert not (tmp_path / "artifact").exists()


def test_cli_unknown_override_key_exits_2(capsys, offline):
    assert main(["intent", "--set", "train.nope=1"]) == 2
    err = capsys.readouterr().err
    assert "train.nope" in err and "unknown key" in err


def test_cli_split_partitions_input(tiny_dataset, tiny_labels, tmp_path, capsys, offline):
    source = tiny_dataset / "train.jsonl"
    output = tmp_path / "split"
    assert main(["split", str(source), "--output", str(output), "--seed", "3"]) == 0
    parts = {n: read_jsonl(output / f"{n}.jsonl") for n in ("train", "validation", "test")}
    assert all(parts.values())
    everything = Counter(e for part in parts.values() for e in part)
    assert everything == Counter(read_jsonl(source))
    texts = [{e.text for e in part} for part in parts.values()]
    assert not (texts[0] & texts[1] or texts[0] & texts[2] or texts[1] & texts[2])
    for part in parts.values():
        assert {e.label for e in part} == set(tiny_labels)
    assert "test: " in capsys.readouterr().out


def test_cli_split_reads_several_sources(tmp_path, offline):
    rows = [
        {"text": f"{label} example {i}", "label": label} for label in ("a", "b") for i in range(10)
    ]
    first = write_jsonl(tmp_path / "one.jsonl", rows[:10])
    second = write_jsonl(tmp_path / "two.jsonl", rows[10:])
    assert main(["split", str(first), str(second), "--output", str(tmp_path / "out")]) == 0
    total = sum(
        len(read_jsonl(tmp_path / "out" / f"{n}.jsonl")) for n in ("train", "validation", "test")
    )
    assert total == 20
