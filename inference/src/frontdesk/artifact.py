"""One loader for every artifact: validate the manifest and files, then load the tokenizer.

Every file is hashed when the manifest is validated; the files that are then loaded (tokenizer,
graphs) are read once more and loaded from the very bytes whose sha256 was checked, so a file
swapped between the check and the load cannot run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tokenizers import Tokenizer

from frontdesk.errors import ArtifactError
from frontdesk.manifest import Manifest, read_manifest, verify_file
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
        if manifest.tokenizer.file not in manifest.files:
            raise ArtifactError(f"{root / 'manifest.json'}: files has no sha256 for {path.name}")
        content = verify_file(root, manifest.tokenizer.file, manifest.files[path.name])
        try:
            tokenizer = Tokenizer.from_str(content.decode("utf-8"))
        except Exception as exc:  # tokenizers raises a bare Exception on a malformed file
            raise ArtifactError(f"{path}: not a valid tokenizer.json ({str(exc)[:200]})") from exc
        if manifest.tokenizer.pad_token_id >= tokenizer.get_vocab_size(with_added_tokens=True):
            raise ArtifactError(f"{path}: pad_token_id is outside the tokenizer's vocabulary")
        return cls(root, manifest, TextEncoder(tokenizer, manifest.tokenizer))

    def read(self, name: str) -> bytes:
        """Read a pinned file, checking its sha256 on the very bytes returned."""
        if name not in self.manifest.files:
            raise ArtifactError(f"{self.root / 'manifest.json'}: files has no sha256 for {name}")
        return verify_file(self.root, name, self.manifest.files[name])

    @property
    def version(self) -> str:
        """The artifact version recorded at export."""
        return self.manifest.artifact_version
