"""The complexity head's small-model probe: static token vectors distilled from the base encoder.

Running the full encoder per request would cost ~3 ms on one core, more than the complexity
call's whole budget. Instead, as model2vec does, every vocabulary token is passed through the
encoder once (``[CLS] token [SEP]``, mean pooled), the vectors are reduced with PCA, and a text
is represented at serving time by the mean vector of its tokens: one gather and one mean inside
the ONNX graph, microseconds, yet it carries the encoder's sense of topic and vocabulary.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm

from frontdesk_training.base_model import BaseModel
from frontdesk_training.modeling import load_encoder, mean_pool


def distill_static_embeddings(
    base: BaseModel,
    dims: int,
    *,
    cls_id: int,
    sep_id: int,
    cache_dir: str = "",
    batch_size: int = 512,
) -> np.ndarray:
    """Return a ``[vocab, dims]`` float32 table, cached per base model and size in ``cache_dir``.

    The cache is a ``.npy`` array read with ``allow_pickle=False`` (never a pickle).
    """
    key = hashlib.sha256(f"{base.info.sha256}:{dims}:{cls_id}:{sep_id}".encode()).hexdigest()[:16]
    cached = Path(cache_dir) / f"static-embeddings-{key}.npy" if cache_dir else None
    if cached is not None and cached.is_file():
        table: np.ndarray = np.load(cached, allow_pickle=False)
        return table
    encoder = load_encoder(base.path).eval()
    vocab = int(encoder.config.vocab_size)
    vectors = np.empty((vocab, int(encoder.config.hidden_size)), np.float32)
    with torch.no_grad():
        for start in tqdm(
            range(0, vocab, batch_size), desc="distilling probe", leave=False, disable=None
        ):
            ids = torch.arange(start, min(start + batch_size, vocab))
            batch = torch.stack(
                [torch.full_like(ids, cls_id), ids, torch.full_like(ids, sep_id)], dim=1
            )
            mask = torch.ones_like(batch)
            out = encoder(input_ids=batch, attention_mask=mask).last_hidden_state
            vectors[start : start + len(ids)] = mean_pool(out, mask).numpy()
    table = pca(vectors, dims)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        np.save(cached, table, allow_pickle=False)
    return table


def pca(vectors: np.ndarray, dims: int) -> np.ndarray:
    """Project onto the top ``dims`` principal components (centred), float32."""
    centred = vectors - vectors.mean(axis=0, keepdims=True)
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    projected: np.ndarray = (centred @ components[:dims].T).astype(np.float32)
    return projected


def probe_vectors(table: np.ndarray, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Masked mean of token vectors: the same computation as the exported graph."""
    weights = mask[..., None].astype(np.float32)
    summed = (table[ids] * weights).sum(axis=1)
    result: np.ndarray = summed / np.maximum(weights.sum(axis=1), 1.0)
    return result
