"""The intent network: a pretrained encoder, mean pooling, dropout, one linear layer."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn
from transformers import AutoModel, PreTrainedModel


def load_encoder(path: Path) -> PreTrainedModel:
    """Load a local encoder from safetensors only (no pickle, no hub)."""
    model: PreTrainedModel = AutoModel.from_pretrained(str(path), use_safetensors=True)
    return model


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Average of the token vectors that the attention mask keeps (sentence-transformers style)."""
    weights = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)


class IntentModel(nn.Module):
    """Encoder + mean pooling + linear classifier producing logits."""

    def __init__(self, encoder: PreTrainedModel, n_labels: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(int(encoder.config.hidden_size), n_labels)

    def embed(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Pooled sentence embeddings."""
        out = self.encoder(input_ids=input_ids, attention_mask=attention_mask)
        return mean_pool(out.last_hidden_state, attention_mask)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Logits, shape [batch, n_labels]."""
        return self.classifier(self.dropout(self.embed(input_ids, attention_mask)))

    def freeze(self, *, encoder: bool, embeddings: bool) -> None:
        """Freeze the whole encoder (head-only training) or just its word embeddings.

        Frozen word embeddings halve the step time on CPU and keep words unseen in training
        where pretraining put them.
        """
        for p in self.encoder.parameters():
            p.requires_grad_(not encoder)
        if embeddings and not encoder:
            self.encoder.get_input_embeddings().weight.requires_grad_(False)


class ProbabilityModel(nn.Module):
    """Export wrapper: token ids -> temperature-scaled softmax probabilities."""

    def __init__(self, model: IntentModel, temperature: float) -> None:
        super().__init__()
        self.model = model
        self.register_buffer("inv_temperature", torch.tensor(1.0 / temperature))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Probabilities, shape [batch, n_labels]; rows sum to one."""
        logits = self.model(input_ids, attention_mask)
        return torch.softmax(logits * self.inv_temperature, dim=-1)
