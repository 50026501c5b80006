"""``frontdesk``: the runtime command line (no torch, no training stack)."""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from frontdesk import __version__
from frontdesk.errors import ArtifactError, FrontdeskError, InvalidInputError

EXIT_INPUT, EXIT_ARTIFACT = 2, 3


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {number}")
    return number


def _number(value: object) -> str:
    return f"{value:.4f}" if isinstance(value, float) and math.isfinite(value) else str(value)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="frontdesk",
        description="Route LLM requests with a frontdesk artifact.",
        epilog="exit codes: 0 ok, 2 bad input or usage, 3 artifact missing/invalid",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    inspect = sub.add_parser("inspect", help="print an artifact's manifest summary")
    inspect.add_argument("artifact", type=Path)
    inspect.add_argument("--json", action="store_true", help="print the whole manifest as JSON")

    classify = sub.add_parser(
        "classify", help="run the artifact's heads (intent, complexity) on texts"
    )
    classify.add_argument("texts", nargs="+", help="one or more texts")
    classify.add_argument("--artifact", type=Path, default=Path("models/default"))
    classify.add_argument("--threshold", type=float, help="override the intent threshold")
    classify.add_argument("--json", action="store_true", help="one JSON object per line")

    bench = sub.add_parser("bench", help="latency percentiles, cold start and RSS on this machine")
    bench.add_argument("artifact", type=Path)
    bench.add_argument("--calls", type=_positive, default=2000, help="timed calls per input kind")
    bench.add_argument("--warmup", type=_positive, default=100)
    bench.add_argument("--threads", type=int, default=1, help="onnxruntime intra-op threads")
    bench.add_argument("--output", type=Path, help="also write the results as JSON here")
    return parser


def _inspect(args: argparse.Namespace) -> None:
    from frontdesk.manifest import read_manifest

    manifest = read_manifest(args.artifact)
    if args.json:
        print(json.dumps(manifest.to_dict(), indent=2))
        return
    print(
        f"artifact   {args.artifact}  version {manifest.artifact_version}  "
        f"schema {manifest.schema_version}"
    )
    print(
        f"built by   frontdesk-training {manifest.package_version}  commit "
        f"{manifest.git_commit[:12] or '-'}  at {manifest.created_at}"
    )
    print(f"base model {manifest.base_model.name}  sha256 {manifest.base_model.sha256[:12]}...")
    tok = manifest.tokenizer
    print(
        f"tokenizer  max_length {tok.max_length}  truncation {tok.truncation_side}  "
        f"max_chars {tok.max_chars}"
    )
    head = manifest.heads.intent
    if head is not None:
        q = head.quantization
        print(
            f"intent     {len(head.labels)} labels  threshold {head.threshold:.4f}  "
            f"temperature {head.temperature:.3f}  oos {head.oos_label}  quantization {q.mode}"
            f"{' per-channel' if q.per_channel else ''}"
        )
        print(f"           labels: {', '.join(head.labels)}")
        for name in ("fp32", "int8"):
            m = head.metrics.get(name, {})
            if isinstance(m, dict):
                shown = "  ".join(f"{k} {_number(v)}" for k, v in m.items() if isinstance(v, float))
                print(f"           {name}: {shown}")
    cx = manifest.heads.complexity
    if cx is not None:
        threshold = "-" if cx.strong_threshold is None else f"{cx.strong_threshold:.4f}"
        print(
            f"complexity tiers {', '.join(cx.tiers)}  {len(cx.feature_names)} features  "
            f"probe {cx.probe} ({cx.probe_tokens} tokens)  min_confidence "
            f"{cx.min_confidence:.2f}  strong_threshold {threshold}"
        )
        shown = "  ".join(
            f"{k} {_number(v)}" for k, v in cx.metrics.items() if isinstance(v, float)
        )
        print(f"           {cx.metrics.get('split', 'test')}: {shown}")


def _classify(args: argparse.Namespace) -> None:
    from frontdesk.artifact import Artifact
    from frontdesk.complexity import ComplexityClassifier
    from frontdesk.intent import IntentClassifier

    artifact = Artifact.load(args.artifact)
    heads = artifact.manifest.heads
    intents = (
        IntentClassifier(artifact, threshold=args.threshold).predict_batch(args.texts)
        if heads.intent is not None
        else [None] * len(args.texts)
    )
    tiers = (
        ComplexityClassifier(artifact).predict_batch(args.texts)
        if heads.complexity is not None
        else [None] * len(args.texts)
    )
    for text, p, t in zip(args.texts, intents, tiers, strict=True):
        if args.json:
            row: dict[str, object] = {"text": text}
            if p is not None:
                row["intent"] = dataclasses.asdict(p)
            if t is not None:
                row["complexity"] = dataclasses.asdict(t)
            print(json.dumps(row, ensure_ascii=False))
            continue
        parts = []
        if p is not None:
            low = p.fallback_reason == "low_confidence" and p.top_k
            top = f"; top: {p.top_k[0][0]} {p.top_k[0][1]:.2f}" if low else ""
            flag = f" [fallback: {p.fallback_reason}{top}]" if p.is_fallback else ""
            parts.append(f"intent {p.label} {p.confidence:.2f}{flag}")
        if t is not None:
            flag = f" [fallback: {t.fallback_reason}]" if t.is_fallback else ""
            parts.append(f"tier {t.tier} {t.confidence:.2f} (score {t.score:.2f}){flag}")
        print(f"{' | '.join(parts)}  <- {text[:70]!r}")


def _bench(args: argparse.Namespace) -> None:
    from frontdesk.benchmark import format_table, run_benchmark

    result = run_benchmark(
        args.artifact, calls=args.calls, warmup=args.warmup, threads=args.threads
    )
    print(format_table(result))
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        {"inspect": _inspect, "classify": _classify, "bench": _bench}[args.command](args)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`frontdesk classify ... | head -1`): stop quietly, like grep.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except ArtifactError as exc:
        print(f"frontdesk: artifact error: {exc}", file=sys.stderr)
        return EXIT_ARTIFACT
    except (InvalidInputError, FrontdeskError, ValueError) as exc:
        print(f"frontdesk: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    return 0


if __name__ == "__main__":
    sys.exit(main())
