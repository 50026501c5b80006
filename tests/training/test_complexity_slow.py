"""End to end on real outcome data: the complexity pipeline routes better than random.

Trains the default head (all signals, probe included) through ``run_complexity`` on 2,000
MMLU rows plus the embedded prompts, then scores the MMLU subjects it never saw through the
exported runtime artifact and measures APGR (RouteLLM's routing metric) against the recorded
cheap / strong model outcomes. The floor sits under the value measured on this setup (see the
README's complexity table) and above random routing (0.5); a broken signal path, a lost probe or
a scrambled export falls to ~0.5.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from frontdesk.complexity import ComplexityClassifier
from frontdesk_training.complexity_data import load_source
from frontdesk_training.complexity_pipeline import run_complexity
from frontdesk_training.config import ComplexityConfig, load_config
from frontdesk_training.routing_eval import apgr

APGR_FLOOR = 0.52  # measured 0.571 on this split (2026-12-03)


@pytest.mark.slow
def test_held_out_mmlu_subjects_route_above_random(shared_data: Path, tmp_path: Path) -> None:
    rows = load_source("mmlu_strong_weak", root=shared_data)
    subjects = sorted({r.group for r in rows})
    held = set(subjects[::4])  # every 4th subject is never trained on
    train = [r for r in rows if r.group not in held]
    test = [r for r in rows if r.group in held][:1500]
    rng = np.random.default_rng(0)
    picked = [train[i] for i in rng.choice(len(train), 2000, replace=False)]
    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps({"text": r.text, "label": r.tier}) + "\n" for r in picked))
    config: ComplexityConfig = load_config(
        None,
        [
            f"data.sources={{{data}: 1.0, embedded: 1.0}}",
            f"export.output={tmp_path / 'art'}",
            f"export.reports={tmp_path / 'reports'}",
            "train.epochs=120",
            "train.patience=15",
            f"features.cache_dir={tmp_path / 'cache'}",
        ],
        ComplexityConfig,
    )
    run = run_complexity(config)
    served = ComplexityClassifier.load(run.artifact)
    scores = np.array([p.score for p in served.predict_batch([r.text for r in test])])
    weak = np.array([r.weak_quality for r in test], float)
    strong = np.array([r.strong_quality for r in test], float)
    value = apgr(scores, weak, strong)
    print(f"held-out MMLU APGR {value:.4f}")
    assert value >= APGR_FLOOR
