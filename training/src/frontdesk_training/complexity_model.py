"""The complexity network: standardised signals (+ probe vector) -> small MLP -> tier logits.

Feature standardisation and the probe's token table are buffers of the module, so the exported
ONNX graph carries them: the runtime feeds raw features and token ids, nothing else.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from frontdesk_training.config import ComplexityTrainConfig


class ComplexityModel(nn.Module):
    """MLP over standardised features, optionally concatenated with a static-embedding probe."""

    def __init__(
        self,
        mean: np.ndarray,
        std: np.ndarray,
        n_tiers: int,
        probe_table: np.ndarray | None,
        hidden: int = 64,
        dropout: float = 0.1,
    ) -> None:
        super().__init__()
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float32))
        # A feature constant in training carries no information: weight 0, not 1e6 (a constant
        # column would otherwise blow up on the first request where it differs).
        inv_std = np.where(std > 1e-6, 1.0 / np.maximum(std, 1e-6), 0.0)
        self.register_buffer("inv_std", torch.as_tensor(inv_std).float())
        width = len(mean)
        self.probe: nn.Embedding | None = None
        if probe_table is not None:
            self.probe = nn.Embedding.from_pretrained(torch.as_tensor(probe_table), freeze=True)
            width += probe_table.shape[1]
        self.mlp = nn.Sequential(
            nn.Linear(width, hidden), nn.ReLU(), nn.Dropout(dropout), nn.Linear(hidden, n_tiers)
        )

    def classify(self, features: torch.Tensor, pooled: torch.Tensor | None = None) -> torch.Tensor:
        """Tier logits from raw features and (with a probe) the pooled probe vector."""
        x = (features - self.mean) * self.inv_std
        if pooled is not None:
            x = torch.cat([x, pooled], dim=1)
        return self.mlp(x)

    def forward(
        self,
        features: torch.Tensor,
        input_ids: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Tier logits, shape [batch, n_tiers]; pools the probe from token ids."""
        pooled = None
        if self.probe is not None:
            if input_ids is None or attention_mask is None:
                raise ValueError("this model has a probe: input_ids and attention_mask required")
            weights = attention_mask.unsqueeze(-1).to(features.dtype)
            pooled = (self.probe(input_ids) * weights).sum(1) / weights.sum(1).clamp(min=1.0)
        return self.classify(features, pooled)


class ProbeProbabilities(nn.Module):
    """Export wrapper with the probe: (input_ids, attention_mask, features) -> probabilities."""

    def __init__(self, model: ComplexityModel) -> None:
        super().__init__()
        self.model = model

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, features: torch.Tensor
    ) -> torch.Tensor:
        """Softmax over tiers."""
        return torch.softmax(self.model(features, input_ids, attention_mask), dim=-1)


class FeatureProbabilities(nn.Module):
    """Export wrapper without the probe: features -> probabilities."""

    def __init__(self, model: ComplexityModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """Softmax over tiers."""
        return torch.softmax(self.model(features), dim=-1)


@dataclass(frozen=True)
class Inputs:
    """Precomputed inputs for a set of texts: raw features and, with a probe, pooled vectors.

    Training pools the probe once up front (the table is frozen), which is the same arithmetic
    the exported graph performs per request.
    """

    features: np.ndarray
    pooled: np.ndarray | None = None

    def take(self, rows: np.ndarray) -> Inputs:
        """Subset of rows."""
        return Inputs(self.features[rows], None if self.pooled is None else self.pooled[rows])

    def without_probe(self) -> Inputs:
        """Drop the probe, keep the rows (ablation)."""
        return Inputs(self.features)

    def tensors(self, rows: np.ndarray | slice) -> tuple[torch.Tensor, ...]:
        """Arguments of :meth:`ComplexityModel.classify` for ``rows``."""
        out = [torch.from_numpy(np.ascontiguousarray(self.features[rows]))]
        if self.pooled is not None:
            out.append(torch.from_numpy(np.ascontiguousarray(self.pooled[rows])))
        return tuple(out)


def train_mlp(
    train: Inputs,
    y_train: np.ndarray,
    valid: Inputs,
    y_valid: np.ndarray,
    n_tiers: int,
    probe_table: np.ndarray | None,
    settings: ComplexityTrainConfig,
    seed: int,
) -> ComplexityModel:
    """Fit with class-balanced cross-entropy; keep the epoch with the best validation accuracy.

    Accuracy, not loss: on small sets the validation loss bottoms out in the first epochs, while
    the model is still near-uniform, and keeps rising as it becomes useful. Ties go to the lower
    loss.
    """
    if (train.pooled is None) != (probe_table is None):
        raise ValueError("probe_table must be given exactly when the inputs carry pooled vectors")
    torch.manual_seed(seed)
    mean, std = train.features.mean(axis=0), train.features.std(axis=0)
    model = ComplexityModel(mean, std, n_tiers, probe_table, settings.hidden, settings.dropout)
    counts = np.bincount(y_train, minlength=n_tiers).astype(np.float32)
    weights = torch.as_tensor(counts.sum() / np.maximum(counts, 1.0) / n_tiers)
    loss_fn = nn.CrossEntropyLoss(weight=weights)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(
        params, lr=settings.learning_rate, weight_decay=settings.weight_decay
    )
    generator = torch.Generator().manual_seed(seed)
    target, val_target = torch.from_numpy(y_train), torch.from_numpy(y_valid)
    best, best_state, stale = (-1.0, 0.0), copy.deepcopy(model.state_dict()), 0
    for _ in range(settings.epochs):
        model.train()
        order = torch.randperm(len(y_train), generator=generator).numpy()
        for start in range(0, len(order), settings.batch_size):
            rows = order[start : start + settings.batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss_fn(model.classify(*train.tensors(rows)), target[rows]).backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            logits = model.classify(*valid.tensors(slice(None)))
            key = (
                float((logits.argmax(1) == val_target).float().mean()),
                -float(loss_fn(logits, val_target)),
            )
        if key > best:
            best, best_state, stale = key, copy.deepcopy(model.state_dict()), 0
        else:
            stale += 1
            if stale >= settings.patience:
                break
    model.load_state_dict(best_state)
    return model.eval()


def predict_proba(model: ComplexityModel, inputs: Inputs, batch_size: int = 2048) -> np.ndarray:
    """Tier probabilities in eval mode."""
    parts = []
    with torch.no_grad():
        for start in range(0, len(inputs.features), batch_size):
            rows = slice(start, start + batch_size)
            parts.append(torch.softmax(model.classify(*inputs.tensors(rows)), dim=-1).numpy())
    return np.concatenate(parts) if parts else np.zeros((0, model.mlp[-1].out_features))
