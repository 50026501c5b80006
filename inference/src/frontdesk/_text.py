"""Input validation shared by every head: one place decides what a routable text is.

The rules (documented in the README, tested in tests/inference/test_inputs.py):

- not a ``str`` (``None``, bytes, numbers ...): :class:`InvalidInputError`;
- lone surrogates (e.g. from a broken JSON decoder) become U+FFFD instead of crashing the
  tokenizer;
- control characters other than tab / newline become spaces;
- empty or whitespace-only after that: :class:`InvalidInputError`;
- longer than ``max_chars``: cut to ``max_chars`` characters from the kept side before
  tokenization (the model only sees ``max_length`` tokens anyway; this bounds tokenizer time for
  megabyte inputs).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from frontdesk.errors import InvalidInputError

TruncationSide = Literal["right", "left"]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(
    text: object, *, max_chars: int, side: TruncationSide = "right", index: int | None = None
) -> str:
    """Return ``text`` ready for tokenization, or raise :class:`InvalidInputError`."""
    where = "" if index is None else f" (batch item {index})"
    if not isinstance(text, str):
        raise InvalidInputError(f"text must be a str, got {type(text).__name__}{where}")
    if len(text) > max_chars:
        # Cut first: cleaning a megabyte we are about to drop is wasted time.
        text = text[:max_chars] if side == "right" else text[-max_chars:]
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    text = _CONTROL.sub(" ", text)
    if not text.strip():
        raise InvalidInputError(f"text is empty or whitespace-only{where}")
    return text


def clean_batch(texts: object, *, max_chars: int, side: TruncationSide = "right") -> list[str]:
    """Validate a batch; a bare ``str`` is refused so it is not routed character by character."""
    if isinstance(texts, (str, bytes)) or not isinstance(texts, Sequence):
        raise InvalidInputError(
            f"texts must be a sequence of str (list or tuple), got {type(texts).__name__}"
        )
    return [clean_text(t, max_chars=max_chars, side=side, index=i) for i, t in enumerate(texts)]
