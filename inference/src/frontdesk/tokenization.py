"""Text -> padded token-id arrays, with the truncation strategy declared in the manifest.

Training imports this same class, so the ids a model was trained on and the ids it is served
with come from one code path and one ``tokenizer.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

from frontdesk._text import TruncationSide


@dataclass(frozen=True)
class TokenizerSettings:
    """How text is cut and padded; stored in the manifest under ``tokenizer``."""

    file: str = "tokenizer.json"
    max_length: int = 128
    truncation_side: TruncationSide = "right"
    max_chars: int = 4096
    pad_token_id: int = 0

    def __post_init__(self) -> None:
        if not 4 <= self.max_length <= 8192:
            raise ValueError(f"tokenizer.max_length must be in [4, 8192], got {self.max_length}")
        if not self.max_length <= self.max_chars <= 100_000_000:
            raise ValueError("tokenizer.max_chars must be in [max_length, 100000000]")
        if not 0 <= self.pad_token_id < 2**31:
            raise ValueError("tokenizer.pad_token_id must be in [0, 2**31)")


class TextEncoder:
    """Encode cleaned texts into ``(input_ids, attention_mask)`` int64 arrays."""

    def __init__(self, tokenizer: Tokenizer, settings: TokenizerSettings) -> None:
        tokenizer.no_padding()
        tokenizer.enable_truncation(settings.max_length, direction=settings.truncation_side)
        self._tokenizer = tokenizer
        self.settings = settings

    @classmethod
    def from_file(cls, path: str | Path, settings: TokenizerSettings) -> TextEncoder:
        """Load a ``tokenizer.json`` (never a pickled tokenizer)."""
        return cls(Tokenizer.from_file(str(path)), settings)

    def clone_tokenizer(self) -> Tokenizer:
        """Return an independent copy of the tokenizer (to encode with other settings)."""
        return Tokenizer.from_str(self._tokenizer.to_str())

    def to_str(self) -> str:
        """Serialize as ``tokenizer.json`` text, truncation off (the manifest holds it)."""
        clone = Tokenizer.from_str(self._tokenizer.to_str())
        clone.no_truncation()
        return clone.to_str()

    def encode(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Tokenize and right-pad to the longest sequence of this batch."""
        encodings = self._tokenizer.encode_batch(texts)
        width = max((len(e.ids) for e in encodings), default=1) or 1
        ids = np.full((len(encodings), width), self.settings.pad_token_id, dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        for row, enc in enumerate(encodings):
            n = len(enc.ids)
            ids[row, :n] = enc.ids
            # A tokenizer without special tokens can return nothing for odd input; attend to one
            # pad token then, so pooling never divides by zero.
            mask[row, : max(n, 1)] = 1
        return ids, mask

    def count_tokens(self, text: str) -> int:
        """Token count after truncation (special tokens included)."""
        return len(self._tokenizer.encode(text).ids)
