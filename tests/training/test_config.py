"""Typed config: defaults, every experiment YAML, dotted overrides checked against field types."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from frontdesk import ConfigError, FrontdeskError
from frontdesk_training.config import (
    DEFAULT_BASE_MODEL,
    ComplexityConfig,
    IntentConfig,
    TrainConfig,
    load_config,
)
from frontdesk_training.data import load_splits

CONFIGS = sorted((Path(__file__).resolve().parents[2] / "configs").glob("*.yaml"))


def test_defaults_load():
    config = load_config(None)
    assert config == IntentConfig()
    assert config.model.base_model == DEFAULT_BASE_MODEL
    assert config.data.oos_label == "oos"
    assert config.export.quantize is True and config.export.per_channel is True


def test_config_is_frozen():
    config = load_config(None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.train.epochs = 3  # type: ignore[misc]


def test_configs_folder_is_not_empty():
    assert len(CONFIGS) >= 3, CONFIGS


def _kind(path):
    """complexity*.yaml are model-router experiments; every other YAML trains an intent head."""
    return ComplexityConfig if path.name.startswith("complexity") else IntentConfig


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_every_experiment_yaml_loads_and_round_trips(path, tmp_path):
    kind = _kind(path)
    config = load_config(path, kind=kind)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert config.name == raw["name"]
    if kind is IntentConfig:
        assert config.data.path == raw["data"]["path"]
    else:
        assert config.data.sources == raw["data"]["sources"]
    # The stored (effective) config rebuilds the same object: what the manifest relies on.
    dumped = tmp_path / "effective.yaml"
    dumped.write_text(yaml.safe_dump(config.to_dict()), encoding="utf-8")
    assert load_config(dumped, kind=kind) == config


def test_experiment_yamls_write_to_distinct_folders():
    configs = [load_config(p, kind=_kind(p)) for p in CONFIGS]
    intent_outputs = [c.export.output for c in configs if isinstance(c, IntentConfig)]
    reports = [c.export.reports for c in configs]
    assert len(set(intent_outputs)) == len(intent_outputs)
    assert len(set(reports)) == len(reports)
    # the default complexity head joins the default intent artifact (one artifact, two heads)
    complexity = [c for c in configs if isinstance(c, ComplexityConfig)]
    assert complexity and all(c.export.output in intent_outputs for c in complexity)


def test_overrides_are_parsed_to_field_types():
    config = load_config(
        None,
        [
            "train.epochs=3",
            "train.learning_rate=0.0005",
            "train.head_learning_rate=1",  # an int is a fine float
            "model.freeze_encoder=true",
            "model.truncation_side=left",
            "export.output=models/x",
        ],
    )
    assert config.train.epochs == 3
    assert config.train.learning_rate == 0.0005
    assert config.train.head_learning_rate == 1.0
    assert isinstance(config.train.head_learning_rate, float)
    assert config.model.freeze_encoder is True
    assert config.model.truncation_side == "left"
    assert config.export.output == "models/x"


def test_override_beats_yaml(tmp_path):
    path = tmp_path / "exp.yaml"
    path.write_text("name: exp\ntrain:\n  epochs: 5\n", encoding="utf-8")
    config = load_config(path, ["train.epochs=2"])
    assert (config.name, config.train.epochs, config.train.batch_size) == (
        "exp",
        2,
        TrainConfig().batch_size,
    )


def test_wrong_type_names_the_key():
    with pytest.raises(ConfigError, match=r"train\.epochs: expected int, got str"):
        load_config(None, ["train.epochs=abc"])


def test_unknown_key_names_the_key():
    with pytest.raises(ConfigError, match=r"train\.nope: unknown key"):
        load_config(None, ["train.nope=1"])
    with pytest.raises(ConfigError, match=r"modle: unknown key"):
        load_config(None, ["modle.max_length=8"])


def test_unknown_key_in_yaml_names_the_key(tmp_path):
    path = tmp_path / "typo.yaml"
    path.write_text("export:\n  quantise: false\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"export\.quantise: unknown key"):
        load_config(path)


def test_truncation_side_is_a_closed_choice():
    with pytest.raises(ConfigError, match=r"model\.truncation_side: expected one of"):
        load_config(None, ["model.truncation_side=middle"])


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("train.epochs=true", "train.epochs"),  # bool is not an int
        ("model.freeze_encoder=1", "model.freeze_encoder"),  # int is not a bool
        ("train.learning_rate=false", "train.learning_rate"),  # bool is not a float
        ("export.quantize=yes please", "export.quantize"),
        ("train.epochs=2.5", "train.epochs"),  # float is not an int
    ],
)
def test_bool_int_float_confusion_is_rejected(override, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_config(None, [override])


def test_null_is_allowed_for_optional_fields():
    config = load_config(None, ["data.oos_label=null", "data.max_per_label=~"])
    assert config.data.oos_label is None
    assert config.data.max_per_label is None


def test_null_is_refused_for_required_fields():
    with pytest.raises(ConfigError, match=r"train\.epochs"):
        load_config(None, ["train.epochs=null"])


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("train.epochs=0", "train.epochs"),
        ("train.warmup_ratio=1.0", "train.warmup_ratio"),
        ("data.validation_fraction=0", "data.validation_fraction"),
        ("data.max_per_label=0", "data.max_per_label"),
        ("calibration.max_in_scope_drop=2", "calibration.max_in_scope_drop"),
    ],
)
def test_out_of_range_values_are_config_errors(override, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_config(None, [override])


@pytest.mark.parametrize("override", ["train.epochs", "=3", "  =3"])
def test_malformed_override_is_refused(override):
    with pytest.raises(ConfigError, match="expected key.path=value"):
        load_config(None, [override])


def test_override_into_a_scalar_is_refused():
    with pytest.raises(ConfigError, match="name: expected str, got dict"):
        load_config(None, ["name.x=1"])
    with pytest.raises(ConfigError, match="name is not a section"):
        load_config(None, ["name=exp", "name.x=1"])


def test_unreadable_and_invalid_yaml_files(tmp_path):
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("train: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(bad)
    listing = tmp_path / "list.yaml"
    listing.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="top level must be a mapping"):
        load_config(listing)


def test_empty_yaml_means_defaults(tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing but a comment\n", encoding="utf-8")
    assert load_config(empty) == IntentConfig()


def test_config_error_is_a_value_error_and_a_frontdesk_error():
    with pytest.raises(ValueError) as caught:
        load_config(None, ["train.epochs=abc"])
    assert isinstance(caught.value, ConfigError)
    assert isinstance(caught.value, FrontdeskError)


def test_flat_gives_dotted_keys():
    config = load_config(None, ["train.epochs=4", "data.oos_label=null"])
    flat = config.flat()
    assert flat["train.epochs"] == 4
    assert flat["data.oos_label"] is None
    assert flat["name"] == "default"
    assert flat["model.base_model"] == DEFAULT_BASE_MODEL
    assert all(not isinstance(v, dict) for v in flat.values())
    expected = set()
    for section in dataclasses.fields(config):
        value = getattr(config, section.name)
        if dataclasses.is_dataclass(value):
            expected |= {f"{section.name}.{f.name}" for f in dataclasses.fields(value)}
        else:
            expected.add(section.name)
    assert set(flat) == expected


def test_to_dict_is_plain_and_nested():
    tree = load_config(None).to_dict()
    assert set(tree) == {"name", "seed", "data", "model", "train", "calibration", "export"}
    assert tree["train"]["epochs"] == TrainConfig().epochs
    yaml.safe_dump(tree)  # plain types only: safe_dump refuses anything else


def test_exponent_float_override_without_dot_is_a_float():
    assert load_config(None, ["train.learning_rate=1e-4"]).train.learning_rate == 1e-4


@pytest.mark.parametrize(
    ("config_name", "labels"), [("intent_banking77.yaml", 77), ("intent_clinc150.yaml", 151)]
)
def test_benchmark_configs_point_at_shared_data(repo_root, shared_data, config_name, labels):
    config = load_config(repo_root / "configs" / config_name)
    folder = (repo_root / config.data.path).resolve()
    assert folder.parent == shared_data
    splits = load_splits(config.data, config.seed, folder)
    assert len(splits.labels) == labels
    assert (config.data.oos_label in splits.labels) == (config.data.oos_label is not None)
