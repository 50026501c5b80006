"""Latency, cold start and memory of the runtime, measured the way a service would see them.

Single-request latency uses one intra-op thread after warm-up; inputs are short queries
(5-30 words), ~1k-token and ~8k-token prompts. Cold start and peak RSS are measured in a fresh
subprocess that only imports frontdesk, loads the artifact and routes, so nothing else in this
process (a test runner, a training stack) inflates them.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

_WORDS = (
    "please can you help me write summarize translate explain why how what the a my this code "
    "function error invoice refund cancel account password weather story poem list data table "
    "python query numbers email report meeting notes french spanish fix bug test order plan idea"
).split()
_PARAGRAPH = (
    "The quarterly report describes revenue, churn and the hiring plan in some detail. Each "
    "section lists the owner, the deadline and the risks that were discussed at the meeting. "
)


def sample_inputs(seed: int = 0) -> dict[str, list[str]]:
    """Deterministic inputs: 200 short queries, ten ~1k-token and ten ~8k-token prompts."""
    rng = random.Random(seed)
    short = [" ".join(rng.choices(_WORDS, k=rng.randint(5, 30))) for _ in range(200)]

    # ~4.5 characters per token for this English text: 1k tokens ~ 4,500 characters.
    def prompt(tokens: int, i: int) -> str:
        body = _PARAGRAPH * (tokens * 45 // (10 * len(_PARAGRAPH)) + 1)
        return f"Request {i}: please summarize the following. " + body

    return {
        "short": short,
        "1k_tokens": [prompt(1000, i) for i in range(10)],
        "8k_tokens": [prompt(8000, i) for i in range(10)],
    }


def _percentiles(seconds: list[float]) -> dict[str, float]:
    ms = np.asarray(seconds) * 1000.0
    return {
        "p50_ms": float(np.percentile(ms, 50)),
        "p95_ms": float(np.percentile(ms, 95)),
        "p99_ms": float(np.percentile(ms, 99)),
        "calls": len(ms),
    }


def _latency(
    predict: Callable[[str], object], texts: list[str], calls: int, warmup: int
) -> dict[str, float]:
    for i in range(warmup):
        predict(texts[i % len(texts)])
    timings = []
    for i in range(calls):
        start = time.perf_counter()
        predict(texts[i % len(texts)])
        timings.append(time.perf_counter() - start)
    return _percentiles(timings)


def run_benchmark(
    artifact: Path, *, calls: int = 2000, warmup: int = 100, threads: int = 1
) -> dict[str, Any]:
    """Return latency percentiles per head and input kind, throughput, cold start, peak RSS."""
    from frontdesk.artifact import Artifact
    from frontdesk.complexity import ComplexityClassifier
    from frontdesk.intent import IntentClassifier

    loaded = Artifact.load(artifact)
    inputs = sample_inputs()
    result: dict[str, Any] = {
        "artifact": str(artifact),
        "threads": threads,
        "artifact_version": loaded.version,
    }
    heads: dict[str, Callable[[str], object]] = {}
    if loaded.manifest.heads.intent is not None:
        heads["intent.predict"] = IntentClassifier(loaded, intra_op_threads=threads).predict
    if loaded.manifest.heads.complexity is not None:
        heads["complexity.predict"] = ComplexityClassifier(loaded, intra_op_threads=threads).predict
    for head, predict in heads.items():
        result[head] = {
            kind: _latency(predict, texts, calls, warmup) for kind, texts in inputs.items()
        }
    if loaded.manifest.heads.intent is not None:
        batch = IntentClassifier(loaded, intra_op_threads=0, batch_size=64)
        texts = inputs["short"] * 10
        batch.predict_batch(texts[:64])
        start = time.perf_counter()
        batch.predict_batch(texts)
        result["intent_batch_throughput_per_s"] = len(texts) / (time.perf_counter() - start)
    result.update(cold_start(artifact))
    return result


_COLD = """
import resource, sys, time
t0 = time.perf_counter()
from frontdesk import IntentClassifier
from frontdesk.artifact import Artifact
from frontdesk.complexity import ComplexityClassifier
a = Artifact.load(sys.argv[1])
heads = []
if a.manifest.heads.intent is not None:
    heads.append(IntentClassifier(a))
if a.manifest.heads.complexity is not None:
    heads.append(ComplexityClassifier(a))
for h in heads:
    h.predict("hello, can you help me with my invoice")
t1 = time.perf_counter()
for i in range(200):
    for h in heads:
        h.predict(f"query number {i} about writing a python function")
print(t1 - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, sorted(sys.modules))
"""


def cold_start(artifact: Path) -> dict[str, Any]:
    """Import + load + first prediction in a fresh interpreter, and its peak RSS."""
    out = subprocess.run(
        [sys.executable, "-c", _COLD, str(artifact)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    seconds, rss_kb, modules = out.stdout.strip().split(" ", 2)
    heavy = [m for m in ("torch", "transformers", "mlflow", "sklearn") if f"'{m}'" in modules]
    return {
        "cold_start_s": float(seconds),
        "peak_rss_mb": int(rss_kb) / 1024,
        "heavy_modules_loaded": heavy,
    }


def format_table(result: dict[str, Any]) -> str:
    """Markdown table of a :func:`run_benchmark` result."""
    lines = [
        f"artifact {result['artifact']} ({result['artifact_version']}), "
        f"{result['threads']} intra-op thread(s)",
        "",
        "| call | input | p50 ms | p95 ms | p99 ms | calls |",
        "|---|---|---|---|---|---|",
    ]
    for head in ("intent.predict", "complexity.predict"):
        for kind, row in result.get(head, {}).items():
            lines.append(
                f"| {head} | {kind} | {row['p50_ms']:.2f} | {row['p95_ms']:.2f} | "
                f"{row['p99_ms']:.2f} | {row['calls']} |"
            )
    lines.append("")
    if "intent_batch_throughput_per_s" in result:
        lines.append(
            "intent batch throughput (all cores, batch 64): "
            f"{result['intent_batch_throughput_per_s']:.0f} texts/s"
        )
    lines += [
        f"cold start (import + load + first prediction of each head): "
        f"{result['cold_start_s']:.2f} s",
        f"peak RSS of a process that loads and routes: {result['peak_rss_mb']:.0f} MB",
        f"heavy modules loaded: {json.dumps(result['heavy_modules_loaded'])}",
    ]
    return "\n".join(lines)
