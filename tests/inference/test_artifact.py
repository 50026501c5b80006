"""The artifact contract: round trip, and a named ArtifactError for every way it can break."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from frontdesk import ArtifactError, IntentClassifier
from frontdesk.manifest import read_manifest, sha256_file, write_artifact
from tests.inference.conftest import LABELS, manifest_document


def _rewrite_manifest(folder: Path, edit) -> None:
    path = folder / "manifest.json"
    doc = json.loads(path.read_text())
    edit(doc)
    path.write_text(json.dumps(doc))


def test_round_trip_pins_every_file(artifact: Path) -> None:
    manifest = read_manifest(artifact)
    assert set(manifest.files) == {"intent.onnx", "tokenizer.json"}
    for name, digest in manifest.files.items():
        assert sha256_file(artifact / name) == digest
    assert manifest.heads.intent is not None and manifest.heads.intent.labels == tuple(LABELS)
    assert manifest.to_dict()["heads"]["intent"]["labels"] == LABELS


def test_write_is_atomic_and_replaces_a_previous_artifact(make_artifact, tmp_path: Path) -> None:
    first = make_artifact("a")
    before = read_manifest(first).files
    second = make_artifact("a", threshold=0.9)
    assert second == first and read_manifest(second).heads.intent.threshold == 0.9
    assert read_manifest(second).files == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a"]  # no temp or old folders left


def test_failed_write_leaves_previous_artifact_untouched(make_artifact, tmp_path: Path) -> None:
    good = make_artifact("a")
    bad = manifest_document(threshold=7.0)  # invalid: validated before the swap
    with pytest.raises(ArtifactError, match="threshold"):
        write_artifact(good, {"intent.onnx": b"x", "tokenizer.json": b"{}"}, bad)
    assert IntentClassifier.load(good).predict("rain").label == "weather"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a"]


def test_missing_folder_and_manifest(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="does not exist"):
        IntentClassifier.load(tmp_path / "nope")
    with pytest.raises(ArtifactError, match="manifest.json: missing"):
        IntentClassifier.load(tmp_path)


def test_manifest_not_json(artifact: Path) -> None:
    (artifact / "manifest.json").write_text("{not json")
    with pytest.raises(ArtifactError, match="manifest.json: unreadable or not JSON"):
        IntentClassifier.load(artifact)


@pytest.mark.parametrize(
    "version, message", [("2.0", "not supported"), ("x", "major.minor"), (None, "major.minor")]
)
def test_unknown_schema_major_is_refused(artifact: Path, version, message) -> None:
    _rewrite_manifest(artifact, lambda d: d.update(schema_version=version))
    with pytest.raises(ArtifactError, match=message):
        IntentClassifier.load(artifact)


def test_newer_minor_schema_is_accepted(artifact: Path) -> None:
    _rewrite_manifest(artifact, lambda d: d.update(schema_version="1.7"))
    assert IntentClassifier.load(artifact).predict("hello").label == "greeting"


@pytest.mark.parametrize("name", ["intent.onnx", "tokenizer.json"])
def test_missing_file_is_named(artifact: Path, name: str) -> None:
    (artifact / name).unlink()
    with pytest.raises(ArtifactError, match=f"{name}: missing"):
        IntentClassifier.load(artifact)


@pytest.mark.parametrize("name", ["intent.onnx", "tokenizer.json"])
def test_tampered_file_is_named(artifact: Path, name: str) -> None:
    with (artifact / name).open("ab") as fh:
        fh.write(b"\0")
    with pytest.raises(ArtifactError, match=f"{name}: sha256 mismatch"):
        IntentClassifier.load(artifact)


def test_corrupted_graph_with_matching_hash_is_an_artifact_error(artifact: Path) -> None:
    (artifact / "intent.onnx").write_bytes(b"this is not a protobuf")
    _rewrite_manifest(
        artifact,
        lambda d: d["files"].update({"intent.onnx": sha256_file(artifact / "intent.onnx")}),
    )
    with pytest.raises(ArtifactError, match="intent.onnx: onnxruntime cannot load"):
        IntentClassifier.load(artifact)


def test_corrupted_tokenizer_with_matching_hash_is_an_artifact_error(artifact: Path) -> None:
    (artifact / "tokenizer.json").write_text('{"model": 1}')
    _rewrite_manifest(
        artifact,
        lambda d: d["files"].update({"tokenizer.json": sha256_file(artifact / "tokenizer.json")}),
    )
    with pytest.raises(ArtifactError, match="tokenizer.json: not a valid tokenizer"):
        IntentClassifier.load(artifact)


def test_label_count_must_match_the_graph(make_artifact) -> None:
    folder = make_artifact(n_out=len(LABELS) + 1, labels=LABELS + ["extra"][:0])
    with pytest.raises(ArtifactError, match=r"returns shape \['batch', 5\], expected \[batch, 4\]"):
        IntentClassifier.load(folder)


@pytest.mark.parametrize(
    "edit, message",
    [
        (
            lambda d: d["heads"]["intent"].pop("labels"),
            "heads.intent.labels: required key is missing",
        ),
        (
            lambda d: d["heads"]["intent"].update(threshold="high"),
            "heads.intent.threshold: expected float",
        ),
        (lambda d: d["heads"]["intent"].update(labels=[]), "labels is empty"),
        (lambda d: d["heads"]["intent"].update(labels=["a", "a", "b", "c"]), "duplicates"),
        (lambda d: d["heads"]["intent"].update(oos_label="nope"), "not among the labels"),
        (lambda d: d["tokenizer"].update(truncation_side="middle"), "tokenizer.truncation_side"),
        (lambda d: d.update(surprise=1), "surprise: unknown key"),
        (lambda d: d["files"].update({"../x": "0" * 64}), "escapes the artifact"),
        (lambda d: d["files"].pop("intent.onnx"), "no sha256 for intent.onnx"),
    ],
)
def test_malformed_manifest_names_the_key(artifact: Path, edit, message) -> None:
    _rewrite_manifest(artifact, edit)
    with pytest.raises(ArtifactError, match=message.replace(".", r"\.").replace("(", r"\(")):
        IntentClassifier.load(artifact)


def test_artifact_without_intent_head(artifact: Path) -> None:
    _rewrite_manifest(artifact, lambda d: d.update(heads={}))
    with pytest.raises(ArtifactError, match="no intent head"):
        IntentClassifier.load(artifact)
