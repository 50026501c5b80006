"""``frontdesk-train``: the training command line."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import yaml

from frontdesk.errors import FrontdeskError
from frontdesk_training import __version__


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="frontdesk-train", description="Train, calibrate and export frontdesk routing heads."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    intent = sub.add_parser(
        "intent", help="fine-tune, calibrate, evaluate and export the intent head"
    )
    intent.add_argument(
        "--config", type=Path, help="YAML experiment file (default: built-in defaults)"
    )
    intent.add_argument(
        "--data",
        type=Path,
        help="dataset folder with train.jsonl [validation.jsonl] [test.jsonl]; overrides data.path",
    )
    intent.add_argument("--output", type=Path, help="artifact folder; overrides export.output")
    intent.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="dotted override checked against the config types, e.g. train.epochs=3 (repeatable)",
    )

    cx = sub.add_parser(
        "complexity", help="train the complexity head and add it to an artifact (model router)"
    )
    cx.add_argument("--config", type=Path, help="YAML experiment file (default: built-in defaults)")
    cx.add_argument(
        "--data",
        action="append",
        default=[],
        metavar="NAME[=WEIGHT]",
        help="training source (embedded, mmlu_strong_weak, gsm8k, mtbench_strong_weak, "
        "math_levels, arena_hard, or a JSONL path) with an optional sampling weight; repeatable; "
        "replaces data.sources",
    )
    cx.add_argument("--output", type=Path, help="artifact folder; overrides export.output")
    cx.add_argument(
        "--target-strong-share",
        type=float,
        help="calibrate the strongest tier to this share of calls on validation (e.g. 0.3)",
    )
    cx.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")

    ev = sub.add_parser(
        "complexity-eval",
        help="measure the complexity head on the shared outcome data (APGR, CPT, macro-F1)",
    )
    ev.add_argument("--config", type=Path, help="YAML whose features/train sections are evaluated")
    ev.add_argument("--output", type=Path, default=Path("reports/complexity"))
    ev.add_argument("--quick", action="store_true", help="3 folds, capped sets, no ablation")
    ev.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")

    split = sub.add_parser(
        "split", help="stratified, seeded train/validation/test split of JSONL files"
    )
    split.add_argument("sources", type=Path, nargs="+", help="JSONL files with text and label")
    split.add_argument(
        "--output", type=Path, required=True, help="folder for the three split files"
    )
    split.add_argument("--validation", type=float, default=0.15, help="fraction (default 0.15)")
    split.add_argument("--test", type=float, default=0.15, help="fraction (default 0.15)")
    split.add_argument("--seed", type=int, default=0)
    return parser


def _intent(args: argparse.Namespace) -> None:
    from frontdesk_training.config import load_config
    from frontdesk_training.intent_pipeline import run_intent

    overrides = list(args.overrides)
    if args.output is not None:
        overrides.append(f"export.output={args.output}")
    config = load_config(args.config, overrides)
    print("effective config:\n" + yaml.safe_dump(config.to_dict(), sort_keys=False), flush=True)
    result = run_intent(config, args.data)
    served = result.metrics.get("int8", result.metrics["fp32"])
    headline = {k: round(v, 4) for k, v in served.items() if isinstance(v, float)}
    print("test metrics (served graph): " + json.dumps(headline))


def _complexity(args: argparse.Namespace) -> None:
    from frontdesk_training.complexity_pipeline import run_complexity
    from frontdesk_training.config import ComplexityConfig, load_config

    overrides = list(args.overrides)
    if args.output is not None:
        overrides.append(f"export.output={args.output}")
    if args.target_strong_share is not None:
        overrides.append(f"policy.target_strong_share={args.target_strong_share}")
    if args.data:
        sources = {}
        for item in args.data:
            name, _, weight = item.partition("=")
            sources[name] = float(weight) if weight else 1.0
        overrides.append("data.sources=" + json.dumps(sources))
    config = load_config(args.config, overrides, ComplexityConfig)
    print("effective config:\n" + yaml.safe_dump(config.to_dict(), sort_keys=False), flush=True)
    result = run_complexity(config)
    headline = {k: round(v, 4) for k, v in result.metrics.items() if isinstance(v, float)}
    print("test metrics: " + json.dumps(headline))


def _complexity_eval(args: argparse.Namespace) -> None:
    from frontdesk_training.complexity_eval import run_eval
    from frontdesk_training.config import ComplexityConfig, load_config

    config = load_config(args.config, args.overrides, ComplexityConfig)
    results = run_eval(config, args.output, quick=args.quick)
    print((args.output / "results.md").read_text(encoding="utf-8"))
    print(f"written to {args.output} in {results['seconds']:.0f}s")


def _split(args: argparse.Namespace) -> None:
    from frontdesk_training.data import read_jsonl, stratified_split

    examples = [e for path in args.sources for e in read_jsonl(path)]
    rest, test = stratified_split(examples, args.test, args.seed)
    train, validation = stratified_split(rest, args.validation / (1 - args.test), args.seed + 1)
    args.output.mkdir(parents=True, exist_ok=True)
    for name, part in (("train", train), ("validation", validation), ("test", test)):
        lines = (json.dumps({"text": e.text, "label": e.label}, ensure_ascii=False) for e in part)
        (args.output / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{name}: {len(part)} examples -> {args.output / (name + '.jsonl')}")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code (2 for errors a user can fix)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    args = _parser().parse_args(argv)
    try:
        commands = {
            "intent": _intent,
            "complexity": _complexity,
            "complexity-eval": _complexity_eval,
            "split": _split,
        }
        commands[args.command](args)
    except FrontdeskError as exc:
        print(f"frontdesk-train: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("frontdesk-train: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
