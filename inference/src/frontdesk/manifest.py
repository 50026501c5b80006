"""The artifact contract: ``manifest.json`` and the files it pins (see models/README.md).

An artifact is a folder with fixed file names. The manifest records everything needed to serve
and to trace it: schema version, versions of the code that built it, base model, tokenizer
settings, per-head labels / thresholds / calibration / quantization recipe / metrics, and the
sha256 of every file. :func:`read_manifest` validates all of it before any model is opened;
:func:`write_artifact` writes a new folder atomically (temporary folder, then rename).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from frontdesk._schema import build, to_dict
from frontdesk.errors import ArtifactError
from frontdesk.tokenization import TokenizerSettings

SCHEMA_VERSION = "1.0"
_VERSION = re.compile(r"(0|[1-9][0-9]{0,3})\.(0|[1-9][0-9]{0,3})", re.ASCII)
SUPPORTED_MAJOR = 1
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class BaseModelInfo:
    """Which encoder the heads were trained from, pinned by the sha256 of its weights."""

    name: str
    sha256: str
    source: str = ""


@dataclass(frozen=True)
class Quantization:
    """How the served graph was produced from the fp32 export."""

    mode: str  # "dynamic_int8" or "none"
    per_channel: bool = False
    weight_type: str = ""
    opset: int = 0
    onnxruntime_version: str = ""


@dataclass(frozen=True)
class IntentHead:
    """Everything the runtime needs to serve the intent head, and what it measured at export."""

    file: str
    labels: tuple[str, ...]
    threshold: float
    temperature: float = 1.0
    oos_label: str | None = None
    fallback_label: str = "oos"
    threshold_rule: str = ""
    quantization: Quantization = field(default_factory=lambda: Quantization(mode="none"))
    metrics: dict[str, Any] = field(default_factory=dict)
    data_fingerprint: str = ""
    config: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.labels:
            raise ValueError("heads.intent.labels is empty")
        if len(set(self.labels)) != len(self.labels):
            raise ValueError("heads.intent.labels has duplicates")
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError(f"heads.intent.threshold must be in [0, 1], got {self.threshold}")
        if not 0 < self.temperature < 1e6:
            raise ValueError(f"heads.intent.temperature must be > 0, got {self.temperature}")
        if self.oos_label is not None and self.oos_label not in self.labels:
            raise ValueError(f"heads.intent.oos_label {self.oos_label!r} is not among the labels")


@dataclass(frozen=True)
class ComplexityHead:
    """The model router: signals -> tier probabilities -> tier, with its own files and policy.

    ``min_confidence``: under it the decision falls back to the strongest tier.
    ``strong_threshold``: when set (``--target-strong-share``), every request whose complexity
    score reaches it goes to the strongest tier and the rest to the likelier lower tier.
    """

    file: str
    tiers: tuple[str, ...]
    feature_names: tuple[str, ...]
    markers_file: str
    idf_file: str
    min_confidence: float
    probe: str = "static_embedding"
    probe_tokens: int = 128
    max_scan_chars: int = 4096
    strong_threshold: float | None = None
    strong_share_target: float | None = None
    quantization: Quantization = field(default_factory=lambda: Quantization(mode="none"))
    metrics: dict[str, Any] = field(default_factory=dict)
    data_fingerprint: str = ""
    config: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.tiers) < 2 or len(set(self.tiers)) != len(self.tiers):
            raise ValueError("heads.complexity.tiers needs two or more distinct tiers")
        if not 0.0 <= self.min_confidence <= 1.0:
            raise ValueError("heads.complexity.min_confidence must be in [0, 1]")
        if self.strong_threshold is not None and not 0.0 <= self.strong_threshold <= 1.0:
            raise ValueError("heads.complexity.strong_threshold must be in [0, 1]")
        if self.probe not in ("static_embedding", "none"):
            raise ValueError(f"heads.complexity.probe {self.probe!r} is not supported")
        if not 4 <= self.probe_tokens <= 8192:
            raise ValueError("heads.complexity.probe_tokens must be in [4, 8192]")
        if not 64 <= self.max_scan_chars <= 10_000_000:
            raise ValueError("heads.complexity.max_scan_chars must be in [64, 10000000]")


@dataclass(frozen=True)
class Heads:
    """The heads an artifact carries; each is optional so artifacts can grow head by head."""

    intent: IntentHead | None = None
    complexity: ComplexityHead | None = None


@dataclass(frozen=True)
class Manifest:
    """The parsed, validated ``manifest.json``."""

    schema_version: str
    artifact_version: str
    package_version: str
    base_model: BaseModelInfo
    tokenizer: TokenizerSettings
    heads: Heads
    files: dict[str, str]
    git_commit: str = ""
    created_at: str = ""
    mlflow_run_id: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (what :func:`write_artifact` stores)."""
        result: dict[str, Any] = to_dict(self)
        return result


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, streamed."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _regular_file(path: Path, what: str) -> None:
    """Refuse symlinks, FIFOs, devices and folders: only plain files belong to an artifact."""
    try:
        if path.is_symlink():
            raise ArtifactError(f"{path}: is a symlink; artifact files must be plain files")
        if not path.exists():
            raise ArtifactError(f"{path}: missing ({what})")
        if not path.is_file():
            raise ArtifactError(f"{path}: not a regular file ({what})")
    except OSError as exc:
        raise ArtifactError(f"{path}: cannot be inspected ({exc.strerror})") from exc


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON (the manifest is strict JSON)")


def read_manifest(folder: str | Path, *, verify_files: bool = True) -> Manifest:
    """Parse and validate ``folder/manifest.json``; verify every pinned file unless told not to."""
    root = Path(folder)
    try:
        exists = root.is_dir()
    except (OSError, ValueError) as exc:
        raise ArtifactError(f"{str(root)[:200]}: cannot be inspected ({exc})") from exc
    if not exists:
        raise ArtifactError(f"{root}: artifact folder does not exist")
    path = root / MANIFEST
    _regular_file(path, "not an artifact folder?")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"), parse_constant=_refuse_constant)
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ArtifactError(f"{path}: unreadable or not JSON ({str(exc)[:200]})") from None
    _check_schema_version(raw, path)
    try:
        manifest = build(Manifest, raw, ArtifactError)
    except ArtifactError as exc:
        raise ArtifactError(f"{path}: {exc}") from None
    if verify_files:
        verify_artifact_files(root, manifest)
    return manifest


def _check_schema_version(raw: Any, path: Path) -> None:
    version = raw.get("schema_version") if isinstance(raw, Mapping) else None
    if not isinstance(version, str) or not _VERSION.fullmatch(version):
        raise ArtifactError(f"{path}: schema_version missing or not 'major.minor': {version!r:.40}")
    if int(version.partition(".")[0]) != SUPPORTED_MAJOR:
        raise ArtifactError(
            f"{path}: schema_version {version} is not supported by this frontdesk "
            f"(reads {SUPPORTED_MAJOR}.x); upgrade frontdesk or re-export the artifact"
        )


def verify_artifact_files(root: Path, manifest: Manifest) -> None:
    """Every file the manifest references exists and matches its pinned sha256."""
    referenced = {manifest.tokenizer.file}
    if manifest.heads.intent is not None:
        referenced.add(manifest.heads.intent.file)
    if manifest.heads.complexity is not None:
        c = manifest.heads.complexity
        referenced |= {c.file, c.markers_file, c.idf_file}
    unpinned = sorted(referenced - set(manifest.files))
    if unpinned:
        raise ArtifactError(f"{root / MANIFEST}: files has no sha256 for {', '.join(unpinned)}")
    for name, expected in sorted(manifest.files.items()):
        verify_file(root, name, expected)


def verify_file(root: Path, name: str, expected: str) -> bytes:
    """Read one pinned file, check it against its sha256 and return the bytes that were checked.

    Loading from these bytes (not by reopening the path) means what was verified is what runs.
    """
    if name in ("", ".", "..") or Path(name).name != name or "\\" in name:
        raise ArtifactError(f"{root / MANIFEST}: file name {name!r} escapes the artifact")
    file = root / name
    _regular_file(file, "listed in manifest.json")
    try:
        content = file.read_bytes()
    except OSError as exc:
        raise ArtifactError(f"{file}: unreadable ({exc.strerror})") from exc
    actual = hashlib.sha256(content).hexdigest()
    if actual != expected:
        raise ArtifactError(
            f"{file}: sha256 mismatch (manifest {expected[:12]}..., file {actual[:12]}...): "
            "the file was modified or corrupted after export"
        )
    return content


def write_artifact(
    destination: str | Path, files: Mapping[str, Path | bytes], manifest: Mapping[str, Any]
) -> Path:
    """Write files + manifest into ``destination`` atomically and return it.

    ``manifest`` is the document without ``files``: sha256 of each file is computed here, so the
    pins can never disagree with what was written. The result is validated by reading it back
    before it replaces any previous artifact at ``destination``.
    """
    dest = Path(destination)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        for name, content in files.items():
            if isinstance(content, bytes):
                (tmp / name).write_bytes(content)
            else:
                shutil.copyfile(content, tmp / name)
        document = dict(manifest)
        document["files"] = {name: sha256_file(tmp / name) for name in sorted(files)}
        try:
            text = json.dumps(document, indent=2, allow_nan=False)  # strict JSON, no NaN
        except ValueError as exc:
            raise ArtifactError(f"{dest}: manifest has a non-finite number ({exc})") from exc
        (tmp / MANIFEST).write_text(text + "\n", encoding="utf-8")
        read_manifest(tmp)
        tmp.chmod(0o755)  # mkdtemp makes it owner-only; services often run as another user
        _replace(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest


def _replace(tmp: Path, dest: Path) -> None:
    """Swap ``tmp`` into place; an existing artifact is moved aside first, then removed."""
    old = None
    if dest.exists():
        old = dest.with_name(f".{dest.name}.old-{os.getpid()}")
        os.replace(dest, old)
    os.replace(tmp, dest)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
