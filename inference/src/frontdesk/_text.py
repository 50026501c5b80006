"""Input validation shared by every head: one place decides what a routable text is.

The rules (documented in the README, tested in tests/inference/test_inputs.py):

- not a ``str`` (``None``, bytes, numbers ...): :class:`InvalidInputError`;
- lone surrogates (e.g. from a broken JSON decoder) become U+FFFD instead of crashing the
  tokenizer;
- control characters other than tab / newline become spaces;
- empty, whitespace-only or made only of invisible characters (zero-width, joiners, BOM,
  variation selectors, lone combining marks...) after that: :class:`InvalidInputError`;
- longer than ``max_chars``: leading (``right``) or trailing (``left``) blanks are dropped, then
  the text is cut to ``max_chars`` characters on the kept side; ``both`` keeps the first and the
  last half (an instruction usually opens or closes a long paste). The model only sees
  ``max_length`` tokens anyway; the cut bounds tokenizer time for megabyte inputs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from frontdesk.errors import InvalidInputError

TruncationSide = Literal["right", "left"]
CutSide = Literal["right", "left", "both"]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BLANK = r"[\s\x00-\x1f\x7f-\x9f]+"
_LEADING, _TRAILING = re.compile("^" + _BLANK), re.compile(_BLANK + "$")
# Anything that renders: not whitespace, not a control, not a format / joiner / selector /
# combining mark on its own. Text without one of these tokenizes to nothing.
_VISIBLE = re.compile(
    "[^\\s\x00-\x1f\x7f-\x9f\u00ad\u0300-\u036f\u200b-\u200f\u2028-\u202f"
    "\u2060-\u206f\ufe00-\ufe0f\ufeff\U000e0000-\U000e007f]"
)


def _cut(text: str, max_chars: int, side: CutSide) -> str:
    """Cut ``text`` to ``max_chars`` on ``side``, blanks on the cut side dropped first."""
    if side == "right":
        text = _LEADING.sub("", text, count=1)
        return text[:max_chars]
    if side == "left":
        text = _TRAILING.sub("", text, count=1)
        return text[-max_chars:]
    head = max_chars // 2
    return text[:head] + text[len(text) - (max_chars - head) :]


def clean_text(
    text: object, *, max_chars: int, side: CutSide = "right", index: int | None = None
) -> str:
    """Return ``text`` ready for tokenization, or raise :class:`InvalidInputError`."""
    where = "" if index is None else f" (batch item {index})"
    if not isinstance(text, str):
        raise InvalidInputError(f"text must be a str, got {type(text).__name__}{where}")
    if len(text) > max_chars:
        # Cut first: cleaning a megabyte we are about to drop is wasted time.
        text = _cut(text, max_chars, side)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    text = _CONTROL.sub(" ", text)
    if not _VISIBLE.search(text):
        raise InvalidInputError(
            f"text is empty, whitespace-only or has no visible character{where}"
        )
    return text


def clean_batch(texts: object, *, max_chars: int, side: CutSide = "right") -> list[str]:
    """Validate a batch; a bare ``str`` is refused so it is not routed character by character."""
    if isinstance(texts, (str, bytes)) or not isinstance(texts, Sequence):
        raise InvalidInputError(
            f"texts must be a sequence of str (list or tuple), got {type(texts).__name__}"
        )
    return [clean_text(t, max_chars=max_chars, side=side, index=i) for i, t in enumerate(texts)]
