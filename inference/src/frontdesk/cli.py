"""``frontdesk``: the runtime command line (no torch, no training stack)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from frontdesk import __version__
from frontdesk.errors import ArtifactError, FrontdeskError, InvalidInputError

EXIT_INPUT, EXIT_ARTIFACT = 2, 3


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

    intent = sub.add_parser("intent", help="classify texts with the intent head")
    intent.add_argument("texts", nargs="+", help="one or more texts")
    intent.add_argument("--artifact", type=Path, default=Path("models/default"))
    intent.add_argument("--threshold", type=float, help="override the manifest threshold")
    intent.add_argument("--json", action="store_true", help="one JSON object per line")

    bench = sub.add_parser("bench", help="latency percentiles, cold start and RSS on this machine")
    bench.add_argument("artifact", type=Path)
    bench.add_argument("--calls", type=int, default=2000, help="timed calls per input kind")
    bench.add_argument("--warmup", type=int, default=100)
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
            shown = "  ".join(f"{k} {v:.4f}" for k, v in m.items() if isinstance(v, float))
            print(f"           {name}: {shown}")


def _intent(args: argparse.Namespace) -> None:
    from frontdesk.intent import IntentClassifier

    classifier = IntentClassifier.load(args.artifact, threshold=args.threshold)
    for text, p in zip(args.texts, classifier.predict_batch(args.texts), strict=True):
        if args.json:
            print(
                json.dumps(
                    {
                        "text": text,
                        "label": p.label,
                        "confidence": p.confidence,
                        "is_fallback": p.is_fallback,
                        "fallback_reason": p.fallback_reason,
                        "top_k": p.top_k,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            alt = ", ".join(f"{label} {score:.2f}" for label, score in p.top_k[1:])
            flag = f" [fallback: {p.fallback_reason}]" if p.is_fallback else ""
            print(f"{p.label:<18} {p.confidence:.3f}{flag}  <- {text[:70]!r}  (next: {alt})")


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
        {"inspect": _inspect, "intent": _intent, "bench": _bench}[args.command](args)
    except ArtifactError as exc:
        print(f"frontdesk: artifact error: {exc}", file=sys.stderr)
        return EXIT_ARTIFACT
    except (InvalidInputError, FrontdeskError, ValueError) as exc:
        print(f"frontdesk: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    return 0


if __name__ == "__main__":
    sys.exit(main())
