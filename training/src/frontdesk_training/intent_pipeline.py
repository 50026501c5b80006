"""``frontdesk-train intent``: data -> fine-tune -> calibrate -> evaluate -> export -> report."""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from frontdesk.manifest import SCHEMA_VERSION, write_artifact
from frontdesk.tokenization import TextEncoder, TokenizerSettings
from frontdesk_training import __version__, export, plots
from frontdesk_training.base_model import BaseModel, resolve_base_model
from frontdesk_training.calibration import choose_threshold, fit_temperature, softmax
from frontdesk_training.config import IntentConfig
from frontdesk_training.data import Splits, load_splits
from frontdesk_training.metrics import intent_metrics, predict_with_fallback, text_report
from frontdesk_training.modeling import IntentModel, load_encoder
from frontdesk_training.trainer import History, fit, predict_logits

SUMMARY_KEYS = (
    "accuracy",
    "macro_f1",
    "in_scope_accuracy",
    "closed_set_accuracy",
    "oos_recall",
    "fallback_rate",
    "ece",
    "n",
)


@dataclass(frozen=True)
class IntentRun:
    """What a run produced: where, and the headline numbers."""

    artifact: Path
    reports: Path
    metrics: dict[str, Any]


def run_intent(config: IntentConfig, data_dir: str | Path | None = None) -> IntentRun:
    """Train, calibrate, evaluate and export one intent head as configured."""
    _seed_everything(config.seed, config.train.threads)
    base = resolve_base_model(config.model.base_model, config.model.base_model_sha256)
    settings = TokenizerSettings(
        max_length=config.model.max_length,
        max_chars=config.model.max_chars,
        truncation_side=config.model.truncation_side,
    )
    encoder = TextEncoder.from_file(base.path / "tokenizer.json", settings)
    splits = load_splits(config.data, config.seed, data_dir)
    classes = splits.labels
    index = {c: i for i, c in enumerate(classes)}
    oos = index.get(config.data.oos_label) if config.data.oos_label else None
    arrays = {
        name: ([e.text for e in part], np.array([index[e.label] for e in part]))
        for name, part in (
            ("train", splits.train),
            ("validation", splits.validation),
            ("test", splits.test or splits.validation),
        )
    }
    print(
        f"data: {len(splits.train)} train / {len(splits.validation)} validation / "
        f"{len(splits.test)} test, {len(classes)} labels, oos label: {config.data.oos_label}"
    )

    model = IntentModel(load_encoder(base.path), len(classes), config.model.dropout)
    model.freeze(encoder=config.model.freeze_encoder, embeddings=config.model.freeze_embeddings)
    history = fit(model, encoder, arrays["train"], arrays["validation"], config.train, config.seed)

    val_logits = predict_logits(
        model, encoder, arrays["validation"][0], config.train.eval_batch_size
    )
    temperature = (
        fit_temperature(val_logits, arrays["validation"][1])
        if config.calibration.temperature
        else 1.0
    )
    choice = choose_threshold(
        softmax(val_logits, temperature),
        arrays["validation"][1],
        oos,
        config.calibration.max_in_scope_drop,
        config.calibration.max_threshold,
    )
    print(
        f"calibration: temperature {temperature:.3f}, threshold {choice.threshold:.4f} "
        f"({choice.rule})"
    )

    test_texts, test_labels = arrays["test"]
    test_logits = predict_logits(model, encoder, test_texts, config.train.eval_batch_size)
    with tempfile.TemporaryDirectory() as tmp:
        graphs = _export_graphs(model, temperature, Path(tmp), config)
        probs = {
            name: export.onnx_probabilities(path, encoder, test_texts)
            for name, path in graphs.items()
        }
        int8_probs = probs.get("int8", probs["fp32"])
        check = export.parity(probs["fp32"], int8_probs, test_labels)
        if config.export.quantize:
            export.check_parity(check, config.export)
        metrics = {
            name: intent_metrics(p, test_labels, classes, choice.threshold, oos)
            for name, p in probs.items()
        }
        metrics["torch_vs_onnx_max_abs_diff"] = float(
            np.abs(softmax(test_logits, temperature) - probs["fp32"]).max()
        )
        manifest = _manifest(
            config,
            base,
            settings,
            splits,
            classes,
            temperature,
            choice,
            history,
            metrics,
            check,
            _recipe(config),
        )
        served = graphs["int8" if config.export.quantize else "fp32"]
        artifact = write_artifact(
            config.export.output,
            {
                "intent.onnx": served,
                "tokenizer.json": encoder.to_str().encode("utf-8"),
            },
            manifest,
        )
    reports = _write_reports(
        config,
        metrics,
        history,
        choice,
        test_labels,
        softmax(test_logits),
        int8_probs,
        classes,
        oos,
    )
    print(f"artifact written to {artifact}; reports in {reports}")
    return IntentRun(artifact, reports, metrics)


def _seed_everything(seed: int, threads: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if threads > 0:
        torch.set_num_threads(threads)


def _export_graphs(
    model: IntentModel, temperature: float, tmp: Path, config: IntentConfig
) -> dict[str, Path]:
    started = time.perf_counter()
    fp32 = tmp / "intent-fp32.onnx"
    export.export_fp32(model, temperature, fp32, config.export.opset)
    graphs = {"fp32": fp32}
    if config.export.quantize:
        graphs["int8"] = tmp / "intent-int8.onnx"
        export.quantize_int8(fp32, graphs["int8"], config.export.per_channel)
    print(f"export: {', '.join(graphs)} in {time.perf_counter() - started:.1f}s")
    return graphs


def _recipe(config: IntentConfig) -> dict[str, Any]:
    import onnxruntime as ort

    if not config.export.quantize:
        return {
            "mode": "none",
            "opset": config.export.opset,
            "onnxruntime_version": ort.__version__,
        }
    return {
        "mode": "dynamic_int8",
        "per_channel": config.export.per_channel,
        "weight_type": "QInt8",
        "opset": config.export.opset,
        "onnxruntime_version": ort.__version__,
    }


def _summary(metrics: dict[str, Any]) -> dict[str, Any]:
    return {k: metrics[k] for k in SUMMARY_KEYS if k in metrics}


def _manifest(
    config: IntentConfig,
    base: BaseModel,
    settings: TokenizerSettings,
    splits: Splits,
    classes: tuple[str, ...],
    temperature: float,
    choice: Any,
    history: History,
    metrics: dict[str, Any],
    check: export.Parity,
    recipe: dict[str, Any],
) -> dict[str, Any]:
    now = dt.datetime.now(dt.timezone.utc)
    oos = config.data.oos_label if config.data.oos_label in classes else None
    head = {
        "file": "intent.onnx",
        "labels": list(classes),
        "threshold": choice.threshold,
        "temperature": temperature,
        "oos_label": oos,
        "fallback_label": oos or "out_of_scope",
        "threshold_rule": choice.rule,
        "quantization": recipe,
        "metrics": {
            "split": "test" if splits.test else "validation",
            "fp32": _summary(metrics["fp32"]),
            "int8": _summary(metrics.get("int8", metrics["fp32"])),
            "parity": asdict(check) | {"drop": check.drop},
            "torch_vs_onnx_max_abs_diff": metrics["torch_vs_onnx_max_abs_diff"],
            "training_seconds": round(history.seconds, 1),
            "best_epoch": history.best_epoch,
        },
        "data_fingerprint": splits.fingerprint,
        "config": config.to_dict(),
    }
    return {
        "schema_version": SCHEMA_VERSION,
        "artifact_version": f"{config.name}-{now:%Y%m%dT%H%M%SZ}",
        "package_version": __version__,
        "git_commit": _git_commit(),
        "created_at": now.isoformat(timespec="seconds"),
        "mlflow_run_id": "",
        "base_model": asdict(base.info),
        "tokenizer": asdict(settings),
        "heads": {"intent": head},
    }


def _git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def _write_reports(
    config: IntentConfig,
    metrics: dict[str, Any],
    history: History,
    choice: Any,
    labels: np.ndarray,
    raw: np.ndarray,
    served: np.ndarray,
    classes: tuple[str, ...],
    oos: int | None,
) -> Path:
    folder = Path(config.export.reports)
    folder.mkdir(parents=True, exist_ok=True)
    served_metrics = metrics.get("int8", metrics["fp32"])
    document = {
        "name": config.name,
        "history": asdict(history),
        "threshold": asdict(choice),
        "test": {k: _summary(v) for k, v in metrics.items() if isinstance(v, dict)},
        "per_class": served_metrics["per_class"],
        "config": config.to_dict(),
    }
    (folder / "metrics.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    (folder / "classification_report.txt").write_text(text_report(served_metrics), encoding="utf-8")
    plots.confusion_png(
        labels,
        predict_with_fallback(served, choice.threshold, oos),
        classes,
        folder / "confusion.png",
    )
    plots.reliability_png(
        {"uncalibrated": raw, "calibrated (served)": served}, labels, folder / "reliability.png"
    )
    return folder
