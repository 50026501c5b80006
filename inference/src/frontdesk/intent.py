"""The intent head at serving time: text -> calibrated probabilities -> IntentPrediction."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from frontdesk import _onnx
from frontdesk._text import clean_batch, clean_text
from frontdesk.artifact import Artifact
from frontdesk.decision import IntentPrediction, decide_intent
from frontdesk.errors import ArtifactError
from frontdesk.manifest import IntentHead


class IntentClassifier:
    """Serve a trained intent head from an artifact folder (torch-free).

    Use :meth:`load`; the instance is immutable afterwards and safe to share between threads
    (onnxruntime sessions and ``tokenizers`` encoders allow concurrent calls).
    """

    def __init__(
        self,
        artifact: Artifact,
        *,
        threshold: float | None = None,
        intra_op_threads: int = 1,
        batch_size: int = 32,
        top_k: int = 3,
    ) -> None:
        head = artifact.manifest.heads.intent
        if head is None:
            raise ArtifactError(f"{artifact.root / 'manifest.json'}: artifact has no intent head")
        if threshold is not None and not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be in [0, 1], got {threshold}")
        if (
            not (isinstance(batch_size, int) and isinstance(top_k, int))
            or min(batch_size, top_k) < 1
        ):
            raise ValueError("batch_size and top_k must be integers >= 1")
        self.artifact = artifact
        self.head: IntentHead = head
        self.classes_: tuple[str, ...] = head.labels
        self.threshold = head.threshold if threshold is None else threshold
        self.batch_size = batch_size
        self.top_k = top_k
        path = artifact.root / head.file
        self._session = _onnx.open_session(
            artifact.read(head.file), intra_op_threads=intra_op_threads, name=str(path)
        )
        self._output = _onnx.check_signature(self._session, path, len(self.classes_))

    @classmethod
    def load(
        cls,
        folder: str | Path,
        *,
        threshold: float | None = None,
        intra_op_threads: int = 1,
        batch_size: int = 32,
        top_k: int = 3,
        verify_files: bool = True,
    ) -> IntentClassifier:
        """Validate the artifact at ``folder`` and open its intent graph."""
        artifact = Artifact.load(folder, verify_files=verify_files)
        return cls(
            artifact,
            threshold=threshold,
            intra_op_threads=intra_op_threads,
            batch_size=batch_size,
            top_k=top_k,
        )

    def predict(self, text: str) -> IntentPrediction:
        """Classify one text. Raises :class:`InvalidInputError` for non-str or empty text."""
        settings = self.artifact.encoder.settings
        cleaned = clean_text(text, max_chars=settings.max_chars, side=settings.truncation_side)
        return self._decide(self._proba([cleaned]))[0]

    def predict_batch(self, texts: Sequence[str]) -> list[IntentPrediction]:
        """Classify many texts; one invalid item fails the whole batch, naming its index."""
        return self._decide(self.predict_proba(texts))

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities, shape ``(len(texts), len(classes_))``, always 2-D."""
        settings = self.artifact.encoder.settings
        cleaned = clean_batch(texts, max_chars=settings.max_chars, side=settings.truncation_side)
        return self._proba(cleaned)

    def _proba(self, texts: list[str]) -> np.ndarray:
        out = np.empty((len(texts), len(self.classes_)), dtype=np.float32)
        # Length-sorted chunks keep padding (and so wasted compute) small in mixed batches.
        order = np.argsort([len(t) for t in texts], kind="stable")
        for start in range(0, len(texts), self.batch_size):
            chunk = order[start : start + self.batch_size]
            ids, mask = self.artifact.encoder.encode([texts[i] for i in chunk])
            out[chunk] = _onnx.run(
                self._session, self._output, {"input_ids": ids, "attention_mask": mask}
            )
        return out

    def _decide(self, probabilities: np.ndarray) -> list[IntentPrediction]:
        head = self.head
        return [
            decide_intent(
                row,
                self.classes_,
                threshold=self.threshold,
                oos_label=head.oos_label,
                fallback_label=head.fallback_label,
                top_k=self.top_k,
            )
            for row in probabilities
        ]
