"""The fine-tuning loop: seeded shuffling, AdamW, warm-up + linear decay, early stopping.

Reads top to bottom: :func:`lr_factor` is the schedule, :func:`predict_logits` is the one
evaluation pass, :func:`fit` is the loop and keeps the best validation state.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from frontdesk.tokenization import TextEncoder
from frontdesk_training.config import TrainConfig
from frontdesk_training.modeling import IntentModel


def lr_factor(step: int, total: int, warmup: int) -> float:
    """Multiplier of the base learning rate: linear warm-up to 1, then linear decay to 0."""
    if step < warmup:
        return (step + 1) / warmup
    return max(0.0, (total - step) / max(1, total - warmup))


@torch.no_grad()
def predict_logits(
    model: IntentModel, encoder: TextEncoder, texts: Sequence[str], batch_size: int
) -> np.ndarray:
    """Logits for ``texts`` in eval mode, as float32 numpy."""
    model.eval()
    out = []
    for start in range(0, len(texts), batch_size):
        ids, mask = encoder.encode(list(texts[start : start + batch_size]))
        out.append(model(torch.from_numpy(ids), torch.from_numpy(mask)).float().numpy())
    return np.concatenate(out) if out else np.zeros((0, model.classifier.out_features), np.float32)


@dataclass
class History:
    """Per-epoch record of a fit."""

    epochs: list[dict[str, float]] = field(default_factory=list)
    best_epoch: int = -1
    best_accuracy: float = -1.0
    seconds: float = 0.0


def fit(
    model: IntentModel,
    encoder: TextEncoder,
    train: tuple[Sequence[str], np.ndarray],
    validation: tuple[Sequence[str], np.ndarray],
    config: TrainConfig,
    seed: int,
) -> History:
    """Train in place; on return ``model`` holds the weights of the best validation epoch."""
    started = time.perf_counter()
    texts, labels = train
    generator = torch.Generator().manual_seed(seed)
    steps_per_epoch = math.ceil(len(texts) / config.batch_size)
    total = steps_per_epoch * config.epochs
    optimizer = _optimizer(model, config)
    bases = [g["lr"] for g in optimizer.param_groups]
    loss_fn = nn.CrossEntropyLoss()
    history, best_state, step, stale = History(), None, 0, 0
    for epoch in range(config.epochs):
        model.train()
        order = torch.randperm(len(texts), generator=generator).tolist()
        bar = tqdm(
            range(steps_per_epoch),
            desc=f"epoch {epoch + 1}/{config.epochs}",
            leave=False,
            disable=None,  # no bar frames in logs: only on a terminal
        )
        running = 0.0
        for i in bar:
            batch = order[i * config.batch_size : (i + 1) * config.batch_size]
            ids, mask = encoder.encode([texts[j] for j in batch])
            logits = model(torch.from_numpy(ids), torch.from_numpy(mask))
            loss = loss_fn(logits, torch.from_numpy(labels[batch]))
            for group, base in zip(optimizer.param_groups, bases, strict=True):
                group["lr"] = base * lr_factor(step, total, int(config.warmup_ratio * total))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            step += 1
            running += loss.item()
            bar.set_postfix(loss=f"{running / (i + 1):.4f}")
        logits = predict_logits(model, encoder, validation[0], config.eval_batch_size)
        accuracy = float((logits.argmax(axis=1) == validation[1]).mean())
        history.epochs.append(
            {"epoch": epoch + 1, "train_loss": running / steps_per_epoch, "val_accuracy": accuracy}
        )
        tqdm.write(
            f"epoch {epoch + 1}: train loss {running / steps_per_epoch:.4f}, "
            f"validation accuracy {accuracy:.4f}"
        )
        if accuracy > history.best_accuracy:
            history.best_epoch, history.best_accuracy, stale = epoch + 1, accuracy, 0
            best_state = copy.deepcopy(model.state_dict())
        else:
            stale += 1
            if stale >= config.patience:
                tqdm.write(f"early stop: no improvement for {stale} epochs")
                break
    if best_state is not None:
        model.load_state_dict(best_state)
    history.seconds = time.perf_counter() - started
    return history


def _optimizer(model: IntentModel, config: TrainConfig) -> torch.optim.Optimizer:
    """AdamW; the freshly initialised head learns faster than the pretrained encoder."""
    head = list(model.classifier.parameters())
    head_ids = {id(p) for p in head}
    body = [p for p in model.parameters() if p.requires_grad and id(p) not in head_ids]
    groups = [{"params": head, "lr": config.head_learning_rate}]
    if body:
        groups.append({"params": body, "lr": config.learning_rate})
    return torch.optim.AdamW(groups, weight_decay=config.weight_decay)
