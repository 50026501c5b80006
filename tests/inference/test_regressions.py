"""Right values that bug reports taught us (STYLE item 20): one test per finding."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from frontdesk import ArtifactError, IntentClassifier, InvalidInputError
from frontdesk.complexity import ComplexityClassifier
from frontdesk.complexity_features import FEATURE_NAMES, FeatureExtractor, IdfTable, MarkerLexicon
from frontdesk.decision import decide_intent, decide_tier


def _edit(folder: Path, edit) -> None:
    path = folder / "manifest.json"
    doc = json.loads(path.read_text())
    edit(doc)
    path.write_text(json.dumps(doc))


def test_function_keyword_before_whitespace_run_is_linear_not_quadratic() -> None:
    extractor = FeatureExtractor(MarkerLexicon.default(), IdfTable.fit(["a b"], min_df=1))
    start = time.perf_counter()
    extractor.transform("function" + " " * 4088)
    assert time.perf_counter() - start < 0.05  # was 110-180 ms (O(n^2) regex)


def test_text_over_one_mebibyte_keeps_its_closing_instruction(complexity_artifact: Path) -> None:
    clf = ComplexityClassifier.load(complexity_artifact)
    tail = " Now prove that the theorem holds and explain why step by step."
    proof = FEATURE_NAMES.index("marker_proof")
    features = clf.features(["lorem ipsum dolor " * 59_000 + tail])  # 1.06 M characters
    assert features[0, proof] > 0


def test_leading_blank_padding_is_not_mistaken_for_an_empty_text(artifact: Path) -> None:
    clf = IntentClassifier.load(artifact)
    for pad in ("\n" * 2100, " " * 2100, "\x00" * 2100):
        assert clf.predict(pad + "refund my invoice").label == "billing"


@pytest.mark.parametrize("text", ["\u200b\u200e", "\ufeff", "\u0301" * 50, "\U000e0001\U000e0041"])
def test_invisible_only_text_is_refused_like_empty_text(artifact: Path, text: str) -> None:
    with pytest.raises(InvalidInputError, match="no visible character"):
        IntentClassifier.load(artifact).predict(text)


def test_non_finite_scores_fall_back_instead_of_looking_confident() -> None:
    nan = np.full(3, np.nan, np.float32)
    p = decide_intent(nan, ["a", "b", "c"], threshold=0.4, oos_label=None, fallback_label="x")
    assert (p.label, p.is_fallback, p.fallback_reason) == ("x", True, "invalid_scores")
    t = decide_tier(nan, ["simple", "standard", "complex"], min_confidence=0.4)
    assert (t.tier, t.is_fallback, t.fallback_reason) == ("complex", True, "invalid_scores")


def test_symlinked_artifact_file_is_refused(artifact: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.onnx"
    os.replace(artifact / "intent.onnx", outside)
    (artifact / "intent.onnx").symlink_to(outside)
    with pytest.raises(ArtifactError, match="symlink"):
        IntentClassifier.load(artifact)


def test_manifest_that_is_a_fifo_is_refused_without_blocking(artifact: Path) -> None:
    (artifact / "manifest.json").unlink()
    os.mkfifo(artifact / "manifest.json")
    with pytest.raises(ArtifactError, match="not a regular file"):
        IntentClassifier.load(artifact)


def test_deeply_nested_manifest_is_an_artifact_error(artifact: Path) -> None:
    (artifact / "manifest.json").write_text('{"x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(ArtifactError, match="not JSON"):
        IntentClassifier.load(artifact)


@pytest.mark.parametrize("version", ["\u00b9.0", "1", "1.0.0", "01.0", " 1.0", "\uff11.0"])
def test_schema_version_must_be_ascii_major_minor(artifact: Path, version: str) -> None:
    _edit(artifact, lambda d: d.update(schema_version=version))
    with pytest.raises(ArtifactError, match="major.minor"):
        IntentClassifier.load(artifact)


def test_nan_in_manifest_is_refused(artifact: Path) -> None:
    path = artifact / "manifest.json"
    path.write_text(path.read_text().replace('"threshold": 0.4', '"threshold": NaN'))
    with pytest.raises(ArtifactError, match="NaN is not valid JSON"):
        IntentClassifier.load(artifact)


def test_pad_token_outside_the_vocabulary_is_refused(artifact: Path) -> None:
    _edit(artifact, lambda d: d["tokenizer"].update(pad_token_id=1_000_000))
    with pytest.raises(ArtifactError, match="pad_token_id"):
        IntentClassifier.load(artifact)


@pytest.mark.parametrize(
    "key, value", [("probe_tokens", 0), ("probe_tokens", 2**64), ("max_scan_chars", 1)]
)
def test_complexity_bounds_are_artifact_errors(complexity_artifact: Path, key, value) -> None:
    _edit(complexity_artifact, lambda d: d["heads"]["complexity"].update({key: value}))
    with pytest.raises(ArtifactError, match=key):
        ComplexityClassifier.load(complexity_artifact)


def test_cli_into_a_closed_pipe_exits_quietly(artifact: Path) -> None:
    texts = " ".join(["rain"] * 3000)
    script = f"{sys.executable} -m frontdesk.cli classify --artifact {artifact} {texts} | head -1"
    out = subprocess.run(
        ["bash", "-o", "pipefail", "-c", script], capture_output=True, text=True, timeout=120
    )
    assert "Traceback" not in out.stderr and out.stdout.count("\n") == 1


def test_bench_refuses_zero_calls(artifact: Path) -> None:
    from frontdesk.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["bench", str(artifact), "--calls", "0"])
    assert exc.value.code == 2
