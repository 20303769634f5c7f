"""Request-detection benchmark: cross-validation, held-out figures and local-stage throughput.

Run from the repository root:  .venv/bin/python bench/detection_bench.py

1. 5-fold stratified cross-validation on the shared data (slack_style_train + public_devset):
   each fold's model is trained on the other folds plus our own Slack-style training files.
2. Held-out: a model trained on every shipped training file, scored on holdout_slack.jsonl
   (never used for training), overall and per language.
3. Throughput of LocalClassifier.score, one message at a time, pinned to one core.
"""

from __future__ import annotations

import os
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sklearn.model_selection import StratifiedKFold

from requests_app.detection import THRESHOLDS, Strictness
from requests_app.detection.model import (
    DATA_DIR,
    LabelledText,
    LocalClassifier,
    TrainingConfig,
    default_training_files,
    read_jsonl,
)
from requests_app.detection.training import train_classifier

SHARED_FILES = ("slack_style_train.jsonl", "public_devset.jsonl")
HOLDOUT_FILE = "holdout_slack.jsonl"
BALANCED = THRESHOLDS[Strictness.BALANCED]


def pin_to_one_core() -> str:
    """Pin this process to one CPU so throughput is per core; says what was done."""
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    try:
        core = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {core})
    except (AttributeError, OSError):
        return "not pinned (sched_setaffinity unavailable)"
    return f"pinned to CPU {core}"


def metrics(labels: Sequence[bool], predictions: Sequence[bool]) -> tuple[float, float, float]:
    """Precision, recall and F1 of the request class."""
    true_positive = sum(1 for y, p in zip(labels, predictions, strict=True) if y and p)
    false_positive = sum(1 for y, p in zip(labels, predictions, strict=True) if not y and p)
    false_negative = sum(1 for y, p in zip(labels, predictions, strict=True) if y and not p)
    precision = true_positive / max(1, true_positive + false_positive)
    recall = true_positive / max(1, true_positive + false_negative)
    f1 = 2 * precision * recall / max(1e-12, precision + recall)
    return precision, recall, f1


def line(label: str, labels: Sequence[bool], scores: Sequence[float], threshold: float) -> str:
    precision, recall, f1 = metrics(labels, [score >= threshold for score in scores])
    positives = sum(labels)
    return (
        f"  {label:<34} n={len(labels):>5} (req {positives:>4})  "
        f"P={precision:.3f}  R={recall:.3f}  F1={f1:.3f}"
    )


def examples(rows: Sequence[dict[str, object]], weight: float = 1.0) -> list[LabelledText]:
    return [LabelledText(str(row["text"]), bool(row["is_request"]), weight) for row in rows]


def cross_validate(config: TrainingConfig) -> None:
    own_rows = [row for path in sorted(DATA_DIR.glob("own_*.jsonl")) for row in read_jsonl(path)]
    shared = [(name, row) for name in SHARED_FILES for row in read_jsonl(DATA_DIR / name)]
    strata = [f"{name}:{row['is_request']}" for name, row in shared]
    scores = [0.0] * len(shared)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=13)
    started = time.perf_counter()
    for train_index, test_index in folds.split(strata, strata):
        training = examples(own_rows)
        for index in train_index:
            name, row = shared[index]
            weight = config.public_weight if name.startswith("public_") else 1.0
            training.extend(examples([row], weight))
        model = train_classifier(training, config)
        for index in test_index:
            scores[index] = model.score(str(shared[index][1]["text"]))
    print(f"\n== 5-fold stratified CV on shared data ({time.perf_counter() - started:.0f}s) ==")
    print(f"   training folds + {len(own_rows)} own rows; balanced threshold {BALANCED:.2f}")
    labels = [bool(row["is_request"]) for _, row in shared]
    print(line("both files", labels, scores, BALANCED))
    for name in SHARED_FILES:
        picked = [i for i, (source, _) in enumerate(shared) if source == name]
        print(line(name, [labels[i] for i in picked], [scores[i] for i in picked], BALANCED))
    non_english = [
        i for i, (_, row) in enumerate(shared) if str(row.get("category", "")).startswith("non_en")
    ]
    print(
        line(
            "slack_style non-English (es/de/fr/pt/ja)",
            [labels[i] for i in non_english],
            [scores[i] for i in non_english],
            BALANCED,
        )
    )
    print("   by strictness (both files):")
    for level in Strictness:
        print(
            line(f"{level.value} (>= {THRESHOLDS[level]:.2f})", labels, scores, THRESHOLDS[level])
        )


def held_out(config: TrainingConfig) -> LocalClassifier:
    training: list[LabelledText] = []
    for path in default_training_files():
        weight = config.public_weight if path.name.startswith("public_") else 1.0
        training.extend(examples(read_jsonl(path), weight))
    started = time.perf_counter()
    model = train_classifier(training, config)
    elapsed = time.perf_counter() - started
    rows = read_jsonl(DATA_DIR / HOLDOUT_FILE)
    labels = [bool(row["is_request"]) for row in rows]
    scores = [model.score(str(row["text"])) for row in rows]
    print(
        f"\n== Held-out {HOLDOUT_FILE} (model on all {len(training)} training rows, "
        f"trained in {elapsed:.1f}s) =="
    )
    for level in Strictness:
        print(
            line(f"{level.value} (>= {THRESHOLDS[level]:.2f})", labels, scores, THRESHOLDS[level])
        )
    print("   per language (balanced):")
    by_language: dict[str, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        by_language[str(row.get("lang", "?"))].append(index)
    for language, picked in sorted(by_language.items()):
        print(line(language, [labels[i] for i in picked], [scores[i] for i in picked], BALANCED))
    return model


def throughput(model: LocalClassifier) -> None:
    texts = [
        str(row["text"])
        for name in (HOLDOUT_FILE, SHARED_FILES[0])
        for row in read_jsonl(DATA_DIR / name)
    ]
    for text in texts[:200]:
        model.score(text)  # warm-up
    rates = []
    for _ in range(3):
        started = time.perf_counter()
        for text in texts:
            model.score(text)
        rates.append(len(texts) / (time.perf_counter() - started))
    print(f"\n== Local stage throughput, one message at a time ({len(texts)} messages x 3) ==")
    print(
        f"  median {sorted(rates)[1]:,.0f} msgs/s  (runs: "
        + ", ".join(f"{rate:,.0f}" for rate in rates)
        + ")"
    )


def main() -> None:
    affinity = pin_to_one_core()
    config = TrainingConfig()
    print(f"request-detection bench; {affinity}; {config}")
    cross_validate(config)
    model = held_out(config)
    throughput(model)


if __name__ == "__main__":
    main()
