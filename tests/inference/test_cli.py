"""The runtime CLI: output a user can read, exit codes a script can act on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from frontdesk.benchmark import format_table, run_benchmark, sample_inputs
from frontdesk.cli import EXIT_ARTIFACT, EXIT_INPUT, main


def test_inspect_prints_the_summary(artifact: Path, capsys) -> None:
    assert main(["inspect", str(artifact)]) == 0
    out = capsys.readouterr().out
    assert "version tiny-1" in out and "4 labels" in out and "threshold 0.4000" in out


def test_inspect_json_is_the_manifest(artifact: Path, capsys) -> None:
    assert main(["inspect", str(artifact), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["heads"]["intent"]["labels"] == ["billing", "greeting", "oos", "weather"]


def test_intent_json_lines(artifact: Path, capsys) -> None:
    assert main(["classify", "--artifact", str(artifact), "--json", "rain", "pizza"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    got = [(r["intent"]["label"], r["intent"]["is_fallback"]) for r in rows]
    assert got == [("weather", False), ("oos", True)]
    assert all("complexity" not in r for r in rows)  # this artifact has no complexity head


def test_intent_pretty_output_marks_fallbacks(artifact: Path, capsys) -> None:
    assert main(["classify", "--artifact", str(artifact), "pizza"]) == 0
    assert "[fallback: out_of_scope]" in capsys.readouterr().out


def test_missing_artifact_exits_3_with_the_path(tmp_path: Path, capsys) -> None:
    assert main(["inspect", str(tmp_path / "missing")]) == EXIT_ARTIFACT
    assert "missing" in capsys.readouterr().err


def test_empty_text_exits_2(artifact: Path, capsys) -> None:
    assert main(["classify", "--artifact", str(artifact), "   "]) == EXIT_INPUT
    assert "empty" in capsys.readouterr().err


def test_bad_threshold_exits_2(artifact: Path, capsys) -> None:
    assert main(["classify", "--artifact", str(artifact), "--threshold", "3", "rain"]) == EXIT_INPUT
    assert "threshold" in capsys.readouterr().err


def test_usage_errors_exit_2(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["no-such-command"])
    assert exc.value.code == 2


def test_benchmark_reports_percentiles_cold_start_and_rss(artifact: Path) -> None:
    result = run_benchmark(artifact, calls=30, warmup=5)
    for kind in ("short", "1k_tokens", "8k_tokens"):
        row = result["intent.predict"][kind]
        assert "complexity.predict" not in result
        assert 0 < row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"] and row["calls"] == 30
    assert result["cold_start_s"] > 0 and result["peak_rss_mb"] > 10
    assert result["heavy_modules_loaded"] == []
    assert "| short |" in format_table(result)


def test_benchmark_inputs_have_the_documented_sizes() -> None:
    inputs = sample_inputs()
    words = [len(t.split()) for t in inputs["short"]]
    assert min(words) >= 5 and max(words) <= 30 and len(words) == 200
    # ~4.5 characters per token: 1k tokens >= 4,000 chars, 8k tokens >= 32,000 chars
    assert all(len(t) >= 4000 for t in inputs["1k_tokens"])
    assert all(len(t) >= 32000 for t in inputs["8k_tokens"])


def test_classify_runs_both_heads(complexity_artifact: Path, capsys) -> None:
    assert main(["classify", "--artifact", str(complexity_artifact), "--json", "prove it"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["complexity"]["tier"] == "complex" and "label" in row["intent"]
    assert main(["classify", "--artifact", str(complexity_artifact), "hi"]) == 0
    out = capsys.readouterr().out
    assert "intent greeting" in out and "tier simple" in out


def test_inspect_shows_the_complexity_head(complexity_artifact: Path, capsys) -> None:
    assert main(["inspect", str(complexity_artifact)]) == 0
    assert "complexity tiers simple, standard, complex" in capsys.readouterr().out


def test_benchmark_covers_the_complexity_head(complexity_artifact: Path) -> None:
    result = run_benchmark(complexity_artifact, calls=10, warmup=2)
    assert set(result["complexity.predict"]) == {"short", "1k_tokens", "8k_tokens"}
    assert "| complexity.predict | 8k_tokens |" in format_table(result)


def test_low_confidence_fallback_shows_the_top_class(artifact: Path, capsys) -> None:
    assert main(["classify", "--artifact", str(artifact), "--threshold", "0.99", "rain"]) == 0
    assert "[fallback: low_confidence; top: weather" in capsys.readouterr().out
