"""One loader for every artifact: validate the manifest and files, then load the tokenizer."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from frontdesk.errors import ArtifactError
from frontdesk.manifest import Manifest, read_manifest
from frontdesk.tokenization import TextEncoder


@dataclass(frozen=True)
class Artifact:
    """A validated artifact folder: its manifest and the shared text encoder."""

    root: Path
    manifest: Manifest
    encoder: TextEncoder

    @classmethod
    def load(cls, folder: str | Path, *, verify_files: bool = True) -> Artifact:
        """Validate ``folder`` (manifest, schema, sha256 of every file) and load its tokenizer."""
        root = Path(folder)
        manifest = read_manifest(root, verify_files=verify_files)
        path = root / manifest.tokenizer.file
        try:
            encoder = TextEncoder.from_file(path, manifest.tokenizer)
        except Exception as exc:  # tokenizers raises a bare Exception on a malformed file
            raise ArtifactError(f"{path}: not a valid tokenizer.json ({exc})") from exc
        return cls(root, manifest, encoder)

    @property
    def version(self) -> str:
        """The artifact version recorded at export."""
        return self.manifest.artifact_version
