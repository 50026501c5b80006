"""The complexity head at serving time: text -> signals -> tier probabilities -> TierPrediction.

Signals: hand-crafted features (length, reasoning markers, term density; computed by
:mod:`frontdesk.complexity_features`, the same code training uses) and, when the artifact has
one, a static-embedding probe (token ids -> mean of distilled token vectors) that lives inside
the ONNX graph next to the classifier, so one onnxruntime call serves both.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from frontdesk import _onnx
from frontdesk._text import clean_batch, clean_text
from frontdesk.artifact import Artifact
from frontdesk.complexity_features import (
    FEATURE_NAMES,
    FeatureExtractor,
    IdfTable,
    MarkerLexicon,
)
from frontdesk.decision import TierPrediction, decide_tier
from frontdesk.errors import ArtifactError
from frontdesk.manifest import ComplexityHead
from frontdesk.tokenization import TextEncoder, TokenizerSettings

# Length features must see how long a request really is, so texts are validated whole up to
# this size (1 MiB); beyond it the first and last 512 KiB are kept (an instruction usually opens
# or closes a long paste) and the length features saturate.
MAX_CHARS = 1 << 20
PROBE_INPUTS = ("input_ids", "attention_mask", "features")
# The probe reads the first ``probe_tokens`` tokens; English runs ~4.5 characters a token, so
# this many characters per token always fills the window while bounding tokenizer time.
PROBE_CHARS_PER_TOKEN = 6


def _text_file(artifact: Artifact, name: str) -> str:
    path = artifact.root / name
    try:
        return artifact.read(name).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArtifactError(f"{path}: not UTF-8 ({exc})") from exc


class ComplexityClassifier:
    """Serve a trained complexity head from an artifact folder (torch-free, thread-safe)."""

    def __init__(
        self,
        artifact: Artifact,
        *,
        min_confidence: float | None = None,
        intra_op_threads: int = 1,
        batch_size: int = 32,
    ) -> None:
        head = artifact.manifest.heads.complexity
        if head is None:
            raise ArtifactError(f"{artifact.root / 'manifest.json'}: no complexity head")
        if min_confidence is not None and not 0.0 <= min_confidence <= 1.0:
            raise ValueError(f"min_confidence must be in [0, 1], got {min_confidence}")
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError("batch_size must be an integer >= 1")
        self.artifact = artifact
        self.head: ComplexityHead = head
        self.classes_: tuple[str, ...] = head.tiers
        self.min_confidence = head.min_confidence if min_confidence is None else min_confidence
        self.batch_size = batch_size
        try:
            markers = MarkerLexicon.from_json(_text_file(artifact, head.markers_file))
            idf = IdfTable.from_json(_text_file(artifact, head.idf_file))
        except (ValueError, RecursionError) as exc:
            raise ArtifactError(f"{artifact.root}: complexity tables invalid ({exc})") from exc
        self.extractor = FeatureExtractor(markers, idf, max_scan_chars=head.max_scan_chars)
        if FEATURE_NAMES != head.feature_names:
            raise ArtifactError(
                f"{artifact.root / 'manifest.json'}: heads.complexity.feature_names differ from "
                "this frontdesk's features; re-export the artifact with this version"
            )
        self._probe = self._probe_encoder(artifact, head)
        path = artifact.root / head.file
        inputs = PROBE_INPUTS if self._probe is not None else ("features",)
        self._session = _onnx.open_session(
            artifact.read(head.file), intra_op_threads=intra_op_threads, name=str(path)
        )
        self._output = _onnx.check_signature(
            self._session, path, len(self.classes_), inputs, n_features=len(FEATURE_NAMES)
        )

    @staticmethod
    def _probe_encoder(artifact: Artifact, head: ComplexityHead) -> TextEncoder | None:
        if head.probe == "none":
            return None
        settings = TokenizerSettings(
            file=artifact.manifest.tokenizer.file,
            max_length=head.probe_tokens,
            max_chars=head.probe_tokens * PROBE_CHARS_PER_TOKEN,
            pad_token_id=artifact.manifest.tokenizer.pad_token_id,
        )
        return TextEncoder(artifact.encoder.clone_tokenizer(), settings)

    @classmethod
    def load(
        cls,
        folder: str | Path,
        *,
        min_confidence: float | None = None,
        intra_op_threads: int = 1,
        batch_size: int = 32,
        verify_files: bool = True,
    ) -> ComplexityClassifier:
        """Validate the artifact at ``folder`` and open its complexity graph."""
        artifact = Artifact.load(folder, verify_files=verify_files)
        return cls(
            artifact,
            min_confidence=min_confidence,
            intra_op_threads=intra_op_threads,
            batch_size=batch_size,
        )

    def predict(self, text: str) -> TierPrediction:
        """Score one text. Raises :class:`InvalidInputError` for non-str or empty text."""
        return self._decide(self._proba([clean_text(text, max_chars=MAX_CHARS, side="both")]))[0]

    def predict_batch(self, texts: Sequence[str]) -> list[TierPrediction]:
        """Score many texts; one invalid item fails the batch, naming its index."""
        return self._decide(self.predict_proba(texts))

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Tier probabilities, shape ``(len(texts), len(classes_))``, cheapest tier first."""
        return self._proba(clean_batch(texts, max_chars=MAX_CHARS, side="both"))

    def features(self, texts: Sequence[str]) -> np.ndarray:
        """Compute the hand-crafted signal matrix ``(len(texts), n_features)`` (monitoring)."""
        return self.extractor.transform_batch(clean_batch(texts, max_chars=MAX_CHARS, side="both"))

    def _proba(self, texts: list[str]) -> np.ndarray:
        out = np.empty((len(texts), len(self.classes_)), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            chunk = texts[start : start + self.batch_size]
            feeds = {"features": self.extractor.transform_batch(chunk)}
            if self._probe is not None:
                cut = self._probe.settings.max_chars
                ids, mask = self._probe.encode([t[:cut] for t in chunk])
                feeds |= {"input_ids": ids, "attention_mask": mask}
            out[start : start + len(chunk)] = _onnx.run(self._session, self._output, feeds)
        return out

    def _decide(self, probabilities: np.ndarray) -> list[TierPrediction]:
        return [
            decide_tier(
                row,
                self.classes_,
                min_confidence=self.min_confidence,
                strong_threshold=self.head.strong_threshold,
            )
            for row in probabilities
        ]
