"""Hand-crafted complexity features for the model router, computed once per request.

Training imports this module and the runtime calls it, so train-time and serve-time features
cannot drift apart. Groups, in :data:`FEATURE_GROUPS` order (finite floats; counts ``log1p``-ed):
``length`` (how much text and its layout), ``markers`` (phrase hits per :class:`MarkerLexicon`
category: the wording of an instruction says more than its length, see
data/complexity/GUIDELINE.md) and ``density`` (how rare, technical and symbolic the words are).

Long inputs: only ``max_scan_chars`` characters are scanned, half from the head and half from the
tail (an instruction usually opens or closes a long paste: "<document> fix the typo in the first
sentence"). ``chars`` is always the full length; the other *length* counts are measured on the
window and multiplied by ``len(text) / len(window)``, so a 1 MB text still reads as very long.
Markers and density describe the window as it is (extrapolating hits would amplify noise).

Speed shapes the code: one regex pass over the window costs about as much as all the rest, so
words are split with ``bytes.translate`` (a regex only re-splits non-ASCII chunks), phrases are
looked up in word and word-pair counts (a regex alternation per category took 1-3 ms each on
8,000 characters), character classes are counted with ``bytes.translate``, and the remaining
regexes start with a literal that ``re`` can skip to. ``transform`` timings (one thread, default
lexicon, median / p99 of 1,000 calls, 2-core development VM while a model trained on both cores):
15-word query 47 us / 0.14 ms; 32,000-character prompt 0.67 / 1.2 ms (1.25 / 2.3 ms with an
8,192-character window, hence the 4,096 default); 1 MB about 1 ms. Busier runs: up to 2x slower.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from itertools import compress, repeat
from operator import mul, not_
from typing import Any, NamedTuple

import numpy as np

from frontdesk._schema import build
from frontdesk.errors import ConfigError

MARKER_CATEGORIES: tuple[str, ...] = tuple(
    "multi_step proof why_how comparison constraints conditionals analysis simple_request".split()
)
FEATURE_GROUPS: dict[str, tuple[str, ...]] = {
    "length": tuple(
        "chars words sentences lines question_marks list_items code_fences code_line_share"
        " paragraphs".split()
    ),
    "markers": (
        *(f"marker_{name}" for name in MARKER_CATEGORIES),
        *"marker_total numbered_requirements sub_questions".split(),
    ),
    "density": tuple(
        "idf_mean idf_rare_share idf_max mean_word_len long_word_share digit_share math_symbols"
        " code_tokens upper_word_share non_ascii_share".split()
    ),
}
FEATURE_NAMES: tuple[str, ...] = tuple(name for group in FEATURE_GROUPS.values() for name in group)

SUB_QUESTION_CAP = 10  # beyond ten questions, more of them says nothing new
MEAN_WORD_LEN_CAP = 30.0  # "x" * 1_000_000 is one word; keep the feature on a sane scale
LONG_WORD = 10
RARE_FRACTION = 0.8  # a word is rare when its idf exceeds this fraction of the unseen-word idf

# Words: \w runs, except that each CJK ideograph / kana is a word (no spaces in CJK writing).
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")
_ASCII_WORD_CHARS = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
_NON_WORD_TO_SPACE = bytes(c if c in _ASCII_WORD_CHARS or c > 127 else 32 for c in range(256))

# Deletion tables: len(raw.translate(None, table)) counts the bytes a table keeps.
_DIGIT_BYTES, _MATH_BYTES, _BRACE_BYTES = (
    bytes(c for c in range(256) if c not in keep) for keep in (b"0123456789", b"=+*/^<>", b"{};")
)
_ASCII_BYTES = bytes(range(128, 256))
_WHITESPACE_TO_SPACE = bytes.maketrans(b"\t\n\r\x0b\x0c", b"     ")
_CASE_SHAPE = bytes(  # A-Z -> "U", other word bytes -> "l", the rest -> " "
    85 if 65 <= c <= 90 else 108 if c in _ASCII_WORD_CHARS or c > 127 else 32 for c in range(256)
)
_UNICODE_MATH = tuple(c.encode() for c in "\u2264\u2265\u2211\u222b\u221a\u03c0\u221e\u2260\u00b1")
_CODE_PUNCT = (b"::", b"->", b"=>", b"==", b"!=", b"#include", b"SELECT ", b"FROM ")
_CODE_LINE_ENDS = (b";\n", b"{\n", b"}\n", b"\n    ", b"\n\t")
_FULLWIDTH_STOPS = tuple(c.encode() for c in "\u3002\uff01\uff1f")
_STOPS = (b".", b"!", b"?", *_FULLWIDTH_STOPS)
_FULLWIDTH_QUESTION = "\uff1f".encode()

# Line patterns run on "\n" + window, so each starts with a literal "\n" that `re` jumps to.
_LIST_ITEM = re.compile(r"\n[ \t]*(?:[-*+\u2022]|\d{1,3}[.)])[ \t]")
_NUMBERED_LINE = re.compile(r"\n[ \t]*(?:\d{1,2}|[a-hA-H])[.)][ \t]")
_NUMBERED_INLINE = re.compile(r"\((?<!\w\()(?:[a-hA-H]|\d{1,2}|[ivx]{1,4})\)")  # (a) (2) (iv)
_TEX = re.compile(
    r"\\(?:frac|sum|int|sqrt|prod|lim|infty|cdot|times|leq|geq|neq|partial|alpha|beta|gamma"
    r"|delta|theta|lambda|sigma|mu|pi|mathbb|binom|log|ln|sin|cos)(?![a-zA-Z])"
)
_DOLLAR_MATH = re.compile(r"\$[^$\s](?:[^$\n]*[^$\s])?\$")  # $x^2$, not "$5 and $10"
_MINUS = re.compile(r"-(?<=\d-)(?=\d)|-(?<=[\w)] -)(?= [\w(])")  # 3-2, a - b; not "- item"
_MATH_PATTERNS = ((b"\\", _TEX), (b"$", _DOLLAR_MATH), (b"-", _MINUS))  # (cheap trigger, regex)
_KEYWORD_SHAPES = {  # keywords count in code shape ("def f(", "let x ="), not in "let me know"
    kw: re.compile(rf"{kw}(?<!\w{kw}){rest}", re.M)
    for kw, rest in (
        ("def", r"\s+\w+\s*\("),
        ("class", r"\s+\w+\s*[(:{]"),
        # one optional name then "(": linear, unlike \s*\w*\s* which splits a run of
        # whitespace every possible way (quadratic on "function" + 4,000 spaces)
        ("function", r"(?:\s+\w+)?\s*\("),
        *((assignment, r"\s+\w+\s*=") for assignment in ("const", "let", "var")),
        ("import", r"\s+[\w.]+(?:\s+as\s+\w+)?[ \t]*;?$"),
    )
}


def _tokens(text: str) -> list[str]:
    """``_WORD.findall(text.lower())``, but ASCII is split by bytes.translate, not by regex."""
    raw = text.lower().encode("utf-8", "surrogatepass")  # lower first: final sigma needs context
    spaced = raw.translate(_NON_WORD_TO_SPACE).decode("utf-8", "surrogatepass")
    chunks = spaced.split()
    mixed = list(compress(range(len(chunks)), map(not_, map(str.isascii, chunks))))
    if not mixed:
        return chunks
    if len(mixed) * 4 > len(chunks):  # mostly non-ASCII: one regex pass beats many small ones
        return _WORD.findall(spaced)
    for i in reversed(mixed):  # from the end, so the indices still to visit stay valid
        chunks[i : i + 1] = _WORD.findall(chunks[i])
    return chunks


def words(text: str) -> list[str]:
    """Lowercased words (CJK: one per character): the one tokenizer of IDF and features."""
    return _tokens(text)


@dataclass(frozen=True)
class MarkerLexicon:
    """Phrases whose presence hints at the work a request needs, per category.

    Phrases are lowercase and matched as sequences of :func:`words` (case, punctuation and
    spacing do not matter: "trade-off" also finds "trade off"); they may mix languages.
    Overlapping phrases each count ("explain why" also counts for "why"); a phrase of three or
    more words counts as often as its rarest word pair. A missing category is empty.
    """

    categories: Mapping[str, tuple[str, ...]]

    def __post_init__(self) -> None:
        clean: dict[str, tuple[str, ...]] = {}
        for name, phrases in self.categories.items():
            key = f"categories.{name}"
            if name not in MARKER_CATEGORIES:
                allowed = ", ".join(MARKER_CATEGORIES)
                raise ConfigError(f"{key}: unknown marker category (allowed: {allowed})")
            if isinstance(phrases, str) or not isinstance(phrases, (list, tuple)):
                raise ConfigError(f"{key}: expected a list of phrases")
            for i, phrase in enumerate(phrases):
                _check_phrase(phrase, f"{key}[{i}]")
            if len(set(phrases)) != len(phrases):
                raise ConfigError(f"{key}: duplicate phrases")
            clean[name] = tuple(phrases)
        object.__setattr__(self, "categories", clean)

    @classmethod
    def default(cls) -> MarkerLexicon:
        """Load the lexicon shipped with frontdesk (``frontdesk/data/markers.json``)."""
        path = resources.files("frontdesk").joinpath("data").joinpath("markers.json")
        return cls.from_json(path.read_text(encoding="utf-8"))

    @classmethod
    def from_json(cls, text: str) -> MarkerLexicon:
        """Parse ``{"categories": {name: [phrase, ...]}}``; :class:`ConfigError` names bad keys."""
        return build(cls, _load_json(text, "marker lexicon"), ConfigError)

    def to_json(self) -> str:
        """Readable JSON that :meth:`from_json` turns back into an equal lexicon."""
        doc = {"categories": {k: list(v) for k, v in self.categories.items()}}
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _check_phrase(phrase: object, key: str) -> None:
    if not isinstance(phrase, str):
        raise ConfigError(f"{key}: expected a str phrase, got {type(phrase).__name__}")
    if not words(phrase):
        raise ConfigError(f"{key}: empty phrase (no words in {phrase!r})")
    if phrase != phrase.lower() or phrase != phrase.strip():
        raise ConfigError(f"{key}: phrase {phrase!r} must be lowercase without outer spaces")


@dataclass(frozen=True)
class IdfTable:
    """Inverse document frequencies of words, fitted on training texts and shipped as JSON."""

    idf: Mapping[str, float]
    default: float
    n_documents: int

    def __post_init__(self) -> None:
        if self.n_documents < 0:
            raise ConfigError(f"n_documents: must be >= 0, got {self.n_documents}")
        checks = {"default": self.default} | {f"idf.{w}": v for w, v in self.idf.items()}
        for key, value in checks.items():
            if not math.isfinite(value) or value < 0:
                raise ConfigError(f"{key}: must be a finite number >= 0, got {value}")

    @classmethod
    def fit(cls, texts: Iterable[str], max_words: int = 30000, min_df: int = 2) -> IdfTable:
        """Smoothed idf ``log((1 + N) / (1 + df)) + 1`` of the ``max_words`` words of highest df.

        Words in fewer than ``min_df`` texts (typos, names) get ``default``; df ties go by word.
        """
        if max_words < 1 or min_df < 1:
            raise ConfigError(f"max_words and min_df must be >= 1, got {max_words}, {min_df}")
        df: Counter[str] = Counter()
        n = 0
        for text in texts:
            n += 1
            df.update(set(words(text)))
        frequent = sorted((w for w, c in df.items() if c >= min_df), key=lambda w: (-df[w], w))
        idf = {w: math.log((1 + n) / (1 + df[w])) + 1.0 for w in sorted(frequent[:max_words])}
        default = max(idf.values(), default=math.log(1 + n) + 1.0)
        return cls(idf=idf, default=default, n_documents=n)

    def to_json(self) -> str:
        """Compact JSON; floats survive the round trip exactly."""
        doc = {"n_documents": self.n_documents, "default": self.default, "idf": dict(self.idf)}
        return json.dumps(doc, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> IdfTable:
        """Parse :meth:`to_json` output; :class:`ConfigError` names the bad key."""
        return build(cls, _load_json(text, "idf table"), ConfigError)


def _load_json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{what}: not valid JSON ({exc})") from exc


_Multi = tuple[int, tuple[tuple[str, str], ...]]  # category index, consecutive word pairs


def _index_phrases(
    lexicon: MarkerLexicon,
) -> tuple[dict[str, tuple[int, ...]], dict[str, tuple[_Multi, ...]]]:
    """Single-word phrases by word; multi-word phrases (as word pairs) by first word."""
    single: dict[str, list[int]] = {}
    multi: dict[str, list[_Multi]] = {}
    for cat, name in enumerate(MARKER_CATEGORIES):
        for phrase in lexicon.categories.get(name, ()):
            seq = words(phrase)
            if len(seq) == 1:
                single.setdefault(seq[0], []).append(cat)
            else:
                pairs = tuple(zip(seq, seq[1:], strict=False))
                multi.setdefault(seq[0], []).append((cat, pairs))
    return {w: tuple(c) for w, c in single.items()}, {w: tuple(m) for w, m in multi.items()}


def _window(text: str, limit: int) -> str:
    head = limit // 2  # the rest, limit - head characters, comes from the end
    return text if len(text) <= limit else text[:head] + "\n" + text[head - limit :]


class _Scan(NamedTuple):
    """The window and the views of it that several features share (each computed once)."""

    text_len: int
    scan: str
    raw: bytes  # UTF-8
    flat: bytes  # whitespace as spaces, plus a trailing space: b". " counts sentence ends
    tokens: list[str]
    counts: Counter[str]


class FeatureExtractor:
    """Text -> the float32 vector :data:`FEATURE_NAMES` describes; immutable, thread-safe."""

    def __init__(
        self, markers: MarkerLexicon, idf: IdfTable, *, max_scan_chars: int = 4096
    ) -> None:
        if max_scan_chars < 2:
            raise ConfigError(f"max_scan_chars must be >= 2, got {max_scan_chars}")
        self.markers = markers
        self.idf = idf
        self.max_scan_chars = max_scan_chars
        self._single, self._multi = _index_phrases(markers)
        self._idf = dict(idf.idf)
        rare = RARE_FRACTION * idf.default
        self._common = frozenset(w for w, v in idf.idf.items() if v <= rare)

    def transform(self, text: str) -> np.ndarray:
        """Feature vector of one text, shape ``(len(FEATURE_NAMES),)``."""
        return np.asarray(self._values(text), dtype=np.float32)

    def transform_batch(self, texts: Sequence[str]) -> np.ndarray:
        """Feature matrix, always 2-D: ``(len(texts), len(FEATURE_NAMES))``."""
        rows = [self._values(text) for text in texts]
        return np.array(rows, dtype=np.float32).reshape(len(rows), len(FEATURE_NAMES))

    def _values(self, text: str) -> list[float]:
        scan = _window(text, self.max_scan_chars)
        raw = scan.encode("utf-8", "surrogatepass")  # lone surrogates pass (callers replace them)
        tokens = _tokens(scan)
        flat = raw.translate(_WHITESPACE_TO_SPACE) + b" "
        s = _Scan(len(text), scan, raw, flat, tokens, Counter(tokens))
        return [*_length(s), *self._marker_values(s), *self._vocabulary(s), *_shape(s)]

    def _marker_values(self, s: _Scan) -> list[float]:
        hits = self._phrase_hits(s.tokens, s.counts)
        numbered = len(_NUMBERED_LINE.findall("\n" + s.scan)) if b"\n" in s.raw else 0
        if b"(" in s.raw:
            numbered += len(_NUMBERED_INLINE.findall(s.scan))
        questions = s.flat.count(b"? ") + s.raw.count(_FULLWIDTH_QUESTION)
        tail = (sum(hits), numbered, min(questions, SUB_QUESTION_CAP))
        return [math.log1p(c) for c in (*hits, *tail)]

    def _phrase_hits(self, tokens: list[str], counts: Counter[str]) -> list[int]:
        """Hits per category; a phrase of 3+ words counts as often as its rarest word pair."""
        hits = [0] * len(MARKER_CATEGORIES)
        for word in counts.keys() & self._single.keys():
            for cat in self._single[word]:
                hits[cat] += counts[word]
        starts = counts.keys() & self._multi.keys()
        if starts:
            pairs = Counter(zip(tokens, tokens[1:], strict=False))
            for word in starts:
                for cat, seq in self._multi[word]:
                    hits[cat] += min(map(pairs.__getitem__, seq))
        return hits

    def _vocabulary(self, s: _Scan) -> list[float]:
        """IDF and word-length statistics, computed over distinct words weighted by count."""
        n = len(s.tokens)
        if not n:
            return [0.0] * 5
        unique, freq = list(s.counts), list(s.counts.values())
        idf = list(map(self._idf.get, unique, repeat(self.idf.default, len(unique))))
        lengths = list(map(len, unique))
        common = sum(compress(freq, map(self._common.__contains__, unique)))
        return [
            sum(map(mul, idf, freq)) / n,
            (n - common) / n,
            max(idf),
            min(sum(map(mul, lengths, freq)) / n, MEAN_WORD_LEN_CAP),
            sum(compress(freq, map(LONG_WORD.__le__, lengths))) / n,
        ]


def _length(s: _Scan) -> list[float]:
    """Length counts, scaled up to the full text when only a window was scanned."""
    scale = s.text_len / len(s.scan) if s.text_len > len(s.scan) else 1.0
    raw, n_words = s.raw, len(s.tokens)
    blank = not s.scan or s.scan.isspace()
    n_lines = 0 if blank else raw.count(b"\n") + 1
    sentences = sum(map(s.flat.count, (b". ", b"! ", b"? ", *_FULLWIDTH_STOPS)))
    if n_words and not raw.rstrip().rstrip(b"\"')]").endswith(_STOPS):
        sentences += 1  # the last sentence often has no final stop
    counts = (
        n_words,
        sentences,
        n_lines,
        raw.count(b"?") + raw.count(_FULLWIDTH_QUESTION),
        len(_LIST_ITEM.findall("\n" + s.scan)) if n_lines > 1 else 0,
        raw.count(b"```"),
    )
    log = [math.log1p(c * scale) for c in counts]
    # Code-like lines: indented, or ending in ; { } (a line that is both counts twice).
    code_lines = sum(map(raw.count, _CODE_LINE_ENDS)) + raw.rstrip().endswith((b";", b"{", b"}"))
    code_share = min(code_lines / n_lines, 1.0) if n_lines else 0.0
    paragraphs = 0 if blank else 1 + raw.count(b"\n\n") + raw.count(b"\n\r\n")
    return [math.log1p(s.text_len), *log, code_share, math.log1p(paragraphs * scale)]


def _shape(s: _Scan) -> list[float]:
    """Character-level density: digits, math, code, acronyms / shouting, non-ASCII script."""
    n_chars, raw = len(s.scan) or 1, s.raw
    non_ascii = 0 if s.scan.isascii() else len(s.scan) - len(raw.translate(None, _ASCII_BYTES))
    # Words starting with two capitals ("SQL", "HTTPS", "STOP"): "I" and "A" are not shouting.
    upper = (b" " + raw).translate(_CASE_SHAPE).count(b" UU")
    return [
        len(raw.translate(None, _DIGIT_BYTES)) / n_chars,
        math.log1p(_math_symbols(s)),
        math.log1p(_code_tokens(s)),
        upper / len(s.tokens) if s.tokens else 0.0,
        non_ascii / n_chars,
    ]


def _math_symbols(s: _Scan) -> int:
    raw = s.raw
    n = len(raw.translate(None, _MATH_BYTES))
    if b"\xe2\x88" in raw or b"\xe2\x89" in raw or b"\xcf\x80" in raw or b"\xc2\xb1" in raw:
        n += sum(map(raw.count, _UNICODE_MATH))
    return n + sum(len(p.findall(s.scan)) for trigger, p in _MATH_PATTERNS if trigger in raw)


def _code_tokens(s: _Scan) -> int:
    n = len(s.raw.translate(None, _BRACE_BYTES)) + sum(map(s.raw.count, _CODE_PUNCT))
    n += s.counts["return"]
    return n + sum(len(p.findall(s.scan)) for k, p in _KEYWORD_SHAPES.items() if k in s.counts)
