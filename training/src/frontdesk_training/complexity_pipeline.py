"""``frontdesk-train complexity``: sources -> signals -> small MLP -> policy -> ONNX -> artifact.

The head joins an existing artifact (the one ``frontdesk-train intent`` wrote) or starts one:
its files are added next to the intent head's and the manifest gains ``heads.complexity``, all
written atomically. Both heads must come from the same base encoder (one tokenizer).
"""

from __future__ import annotations

import hashlib
import json
import random
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.metrics import classification_report, f1_score

from frontdesk.complexity import PROBE_CHARS_PER_TOKEN
from frontdesk.complexity_features import FEATURE_NAMES, FeatureExtractor, IdfTable, MarkerLexicon
from frontdesk.decision import complexity_score
from frontdesk.manifest import MANIFEST, SCHEMA_VERSION, read_manifest, write_artifact
from frontdesk.tokenization import TextEncoder, TokenizerSettings
from frontdesk_training import __version__, complexity_export, plots
from frontdesk_training.base_model import BaseModel, resolve_base_model
from frontdesk_training.complexity_data import TIERS, ComplexityExample, load_mixture
from frontdesk_training.complexity_model import (
    ComplexityModel,
    Inputs,
    predict_proba,
    train_mlp,
)
from frontdesk_training.config import ComplexityConfig
from frontdesk_training.errors import ExportError
from frontdesk_training.intent_pipeline import _git_commit
from frontdesk_training.probe import distill_static_embeddings, probe_vectors
from frontdesk_training.routing_eval import (
    apgr,
    cost_quality_curve,
    cost_quality_png,
    cpt,
    quantile_threshold,
)


@dataclass(frozen=True)
class Signals:
    """What turns texts into model inputs: the feature extractor and the optional probe."""

    extractor: FeatureExtractor
    encoder: TextEncoder | None
    table: np.ndarray | None

    def inputs(self, texts: list[str], chunk: int = 512) -> Inputs:
        """Features (and pooled probe vectors) for ``texts``."""
        features = self.extractor.transform_batch(texts)
        if self.encoder is None or self.table is None:
            return Inputs(features)
        cut = self.encoder.settings.max_chars
        pooled = [
            probe_vectors(self.table, *self.encoder.encode([t[:cut] for t in texts[i : i + chunk]]))
            for i in range(0, len(texts), chunk)
        ]
        return Inputs(features, np.concatenate(pooled).astype(np.float32))


def build_signals(config: ComplexityConfig, base: BaseModel, train_texts: list[str]) -> Signals:
    """Fit the IDF table on the training texts and distill the probe if configured."""
    extractor = FeatureExtractor(
        MarkerLexicon.default(),
        IdfTable.fit(train_texts, max_words=config.features.idf_max_words),
        max_scan_chars=config.features.max_scan_chars,
    )
    if config.features.probe == "none":
        return Signals(extractor, None, None)
    tokens = config.features.probe_tokens
    settings = TokenizerSettings(max_length=tokens, max_chars=tokens * PROBE_CHARS_PER_TOKEN)
    encoder = TextEncoder.from_file(base.path / "tokenizer.json", settings)
    vocab = encoder.clone_tokenizer()
    cls_id, sep_id = vocab.token_to_id("[CLS]"), vocab.token_to_id("[SEP]")
    if cls_id is None or sep_id is None:
        raise ExportError("the static-embedding probe needs a tokenizer with [CLS] and [SEP]")
    table = distill_static_embeddings(
        base,
        config.features.probe_dims,
        cls_id=cls_id,
        sep_id=sep_id,
        cache_dir=config.features.cache_dir,
    )
    return Signals(extractor, encoder, table)


def stratified_indices(tiers: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, ...]:
    """Split row indices per tier; returns (rest, held)."""
    rng = np.random.default_rng(seed)
    held = []
    for t in np.unique(tiers):
        rows = rng.permutation(np.flatnonzero(tiers == t))
        held.extend(rows[: round(len(rows) * fraction)])
    mask = np.zeros(len(tiers), bool)
    mask[held] = True
    return np.flatnonzero(~mask), np.flatnonzero(mask)


def tier_metrics(probs: np.ndarray, y: np.ndarray, rows: list[ComplexityExample]) -> dict[str, Any]:
    """Tier macro-F1 / accuracy / per-tier report and, where outcomes exist, APGR and CPT."""
    pred = probs.argmax(axis=1)
    report = classification_report(
        y,
        pred,
        labels=list(range(len(TIERS))),
        target_names=list(TIERS),
        output_dict=True,
        zero_division=0,
    )
    result: dict[str, Any] = {
        "n": int(len(y)),
        "accuracy": float((pred == y).mean()) if len(y) else 0.0,
        "macro_f1": float(f1_score(y, pred, average="macro", labels=[0, 1, 2], zero_division=0)),
        "per_tier": {
            t: {k: float(report[t][k]) for k in ("precision", "recall", "f1-score")} for t in TIERS
        },
    }
    known = [i for i, r in enumerate(rows) if r.weak_quality is not None]
    if len(known) >= 20:
        scores = np.array([complexity_score(p) for p in probs[known]])
        weak = np.array([rows[i].weak_quality for i in known], float)
        strong = np.array([rows[i].strong_quality for i in known], float)
        if abs(strong.mean() - weak.mean()) > 1e-9:
            result |= {
                "apgr": apgr(scores, weak, strong),
                "cpt50": cpt(scores, weak, strong, 0.5),
                "cpt80": cpt(scores, weak, strong, 0.8),
                "n_outcomes": len(known),
            }
    return result


@dataclass(frozen=True)
class ComplexityRun:
    """What a run produced: where, and the headline numbers."""

    artifact: Path
    reports: Path
    metrics: dict[str, Any]


def run_complexity(config: ComplexityConfig) -> ComplexityRun:
    """Train, evaluate and export one complexity head as configured."""
    random.seed(config.seed)
    np.random.seed(config.seed)
    torch.manual_seed(config.seed)
    base = resolve_base_model(config.base_model)
    rows = load_mixture(config.data.sources, split=config.data.split, seed=config.seed)
    y = np.array([TIERS.index(r.tier) for r in rows])
    rest, test = stratified_indices(y, config.data.test_fraction, config.seed)
    inner, valid = stratified_indices(y[rest], config.data.validation_fraction, config.seed + 1)
    train, valid = rest[inner], rest[valid]
    print(
        f"data: {len(train)} train / {len(valid)} validation / {len(test)} test from "
        f"{', '.join(config.data.sources)}; tiers {np.bincount(y, minlength=3).tolist()}"
    )
    signals = build_signals(config, base, [rows[i].text for i in train])
    inputs = signals.inputs([r.text for r in rows])
    started = time.perf_counter()
    model = train_mlp(
        inputs.take(train),
        y[train],
        inputs.take(valid),
        y[valid],
        len(TIERS),
        signals.table,
        config.train,
        config.seed,
    )
    seconds = time.perf_counter() - started
    threshold = None
    if config.policy.target_strong_share is not None:
        val_scores = [complexity_score(p) for p in predict_proba(model, inputs.take(valid))]
        threshold = quantile_threshold(np.array(val_scores), config.policy.target_strong_share)
    held = test if len(test) else valid
    probs = predict_proba(model, inputs.take(held))
    metrics = tier_metrics(probs, y[held], [rows[i] for i in held])
    metrics |= {"split": "test" if len(test) else "validation", "training_seconds": seconds}
    print(
        f"test: macro-F1 {metrics['macro_f1']:.4f}, accuracy {metrics['accuracy']:.4f}"
        + (f", APGR {metrics['apgr']:.4f}" if "apgr" in metrics else "")
    )
    artifact = _export(
        config, base, signals, model, [rows[i].text for i in held[:64]], threshold, metrics, rows
    )
    reports = _reports(config, metrics, probs, y[held], [rows[i] for i in held])
    print(f"complexity head added to {artifact}; reports in {reports}")
    return ComplexityRun(artifact, reports, metrics)


def _export(
    config: ComplexityConfig,
    base: BaseModel,
    signals: Signals,
    model: ComplexityModel,
    sample: list[str],
    threshold: float | None,
    metrics: dict[str, Any],
    rows: list[ComplexityExample],
) -> Path:
    output = Path(config.export.output)
    document, files = _existing(output, base)
    with tempfile.TemporaryDirectory() as tmp:
        graph = Path(tmp) / "complexity.onnx"
        complexity_export.export_onnx(model, len(FEATURE_NAMES), graph, config.export.opset)
        feeds = {"features": signals.extractor.transform_batch(sample)}
        if signals.encoder is not None:
            ids, mask = signals.encoder.encode(
                [t[: signals.encoder.settings.max_chars] for t in sample]
            )
            feeds |= {"input_ids": ids, "attention_mask": mask}
        metrics["torch_vs_onnx_max_abs_diff"] = complexity_export.parity(model, graph, feeds)
        files |= {
            "complexity.onnx": graph,
            "complexity_markers.json": signals.extractor.markers.to_json().encode(),
            "complexity_idf.json": signals.extractor.idf.to_json().encode(),
        }
        if "tokenizer.json" not in files:
            encoder = TextEncoder.from_file(base.path / "tokenizer.json", TokenizerSettings())
            files["tokenizer.json"] = encoder.to_str().encode()
        document["heads"]["complexity"] = _head(config, metrics, threshold, rows)
        return write_artifact(output, files, document)


def _existing(output: Path, base: BaseModel) -> tuple[dict[str, Any], dict[str, Path | bytes]]:
    """Return the artifact to extend (validated), or a fresh manifest skeleton."""
    if not (output / MANIFEST).exists():
        return {
            "schema_version": SCHEMA_VERSION,
            "artifact_version": "",
            "package_version": __version__,
            "git_commit": _git_commit(),
            "created_at": "",
            "mlflow_run_id": "",
            "base_model": asdict(base.info),
            "tokenizer": asdict(TokenizerSettings()),
            "heads": {},
        }, {}
    manifest = read_manifest(output)
    if manifest.base_model.sha256 != base.info.sha256:
        raise ExportError(
            f"{output}: its heads come from base model {manifest.base_model.name} "
            f"({manifest.base_model.sha256[:12]}...), this head from {base.info.name} "
            f"({base.info.sha256[:12]}...); one artifact shares one tokenizer"
        )
    document = manifest.to_dict()
    document.pop("files")
    document["heads"] = {k: v for k, v in document["heads"].items() if v is not None}
    keep = {n: output / n for n in manifest.files if not n.startswith("complexity")}
    return document, keep


def _head(
    config: ComplexityConfig,
    metrics: dict[str, Any],
    threshold: float | None,
    rows: list[ComplexityExample],
) -> dict[str, Any]:
    summary = {k: v for k, v in metrics.items() if k != "per_tier"}
    return {
        "file": "complexity.onnx",
        "tiers": list(TIERS),
        "feature_names": list(FEATURE_NAMES),
        "markers_file": "complexity_markers.json",
        "idf_file": "complexity_idf.json",
        "min_confidence": config.policy.min_confidence,
        "probe": config.features.probe,
        "probe_tokens": config.features.probe_tokens,
        "max_scan_chars": config.features.max_scan_chars,
        "strong_threshold": threshold,
        "strong_share_target": config.policy.target_strong_share,
        "quantization": complexity_export.recipe(config.export.opset),
        "metrics": summary,
        "config": config.to_dict(),
        "data_fingerprint": _fingerprint(rows),
    }


def _fingerprint(rows: list[ComplexityExample]) -> str:
    digest = hashlib.sha256()
    for r in rows:
        digest.update(f"{r.source}\t{r.tier}\t{r.text}\n".encode())
    return "sha256:" + digest.hexdigest()


def _reports(
    config: ComplexityConfig,
    metrics: dict[str, Any],
    probs: np.ndarray,
    y: np.ndarray,
    rows: list[ComplexityExample],
) -> Path:
    folder = Path(config.export.reports)
    folder.mkdir(parents=True, exist_ok=True)
    document = {"name": config.name, "test": metrics, "config": config.to_dict()}
    (folder / "metrics.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    plots.confusion_png(y, probs.argmax(axis=1), TIERS, folder / "confusion.png")
    known = [i for i, r in enumerate(rows) if r.weak_quality is not None]
    if "apgr" in metrics:
        scores = np.array([complexity_score(p) for p in probs[known]])
        weak = np.array([rows[i].weak_quality for i in known], float)
        strong = np.array([rows[i].strong_quality for i in known], float)
        curve = cost_quality_curve(scores, weak, strong)
        cost_quality_png({"frontdesk": curve}, folder / "cost_quality.png", config.name)
    return folder
