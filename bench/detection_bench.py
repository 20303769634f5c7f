"""Request-detection benchmark: cross-validation, held-out figures and local-stage throughput.

Run from the repository root:  .venv/bin/python bench/detection_bench.py

1. 5-fold stratified cross-validation on the shared data (slack_style_train + public_devset):
   each fold's model is trained on the other folds plus our own Slack-style training files.
2. Threshold calibration: 5-fold out-of-fold scores over *every* training row (own files
   included), eight fold shufflings, and the thresholds that meet each strictness' target on
   the out-of-fold scores of the ``slack_style_train.jsonl`` rows (mean over the shufflings).
   This is how ``core.THRESHOLDS`` was chosen; the held-out files play no part in it.
3. Held-out: a model trained on every shipped training file, run through the pipeline
   (prefilter + local model, as ``manage.py detect_requests`` does) on each ``holdout*.jsonl``
   file (never trained on; see data/README.md for how independent each one is), overall and
   per language, at each strictness.
4. Throughput of the local stage, one message at a time, pinned to one core, with the model
   as a worker serves it (rebuilt from its JSON cache form).
"""

from __future__ import annotations

import gc
import os
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sklearn.model_selection import StratifiedKFold

from requests_app.detection import THRESHOLDS, DetectionInput, Strictness, build_pipeline
from requests_app.detection.model import (
    DATA_DIR,
    LabelledText,
    LocalClassifier,
    TrainingConfig,
    default_training_files,
    holdout_files,
    read_jsonl,
)
from requests_app.detection.training import train_classifier

SHARED_FILES = ("slack_style_train.jsonl", "public_devset.jsonl")
HOLDOUT_FILES = tuple(path.name for path in holdout_files())
LANGUAGES = ("en", "es", "de", "fr", "pt")
BALANCED = THRESHOLDS[Strictness.BALANCED]
# What each strictness aims for on out-of-fold scores of ``slack_style_train.jsonl``, the one
# shared sample written like the messages we are judged on (our own files are deliberately
# harder: many hard negatives, terse domain-specific reports). Out-of-fold recall runs a point
# or two above held-out recall, hence the margins.
CALIBRATION_FILE = SHARED_FILES[0]
RECALL_TARGETS = {Strictness.AGGRESSIVE: 0.99, Strictness.BALANCED: 0.97}
CONSERVATIVE_PRECISION_TARGET = 0.975
CALIBRATION_SEEDS = (7, 13, 21, 1, 2, 3, 4, 5)  # the 600-row target is small: average many


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


def _threshold_for_recall(labels: Sequence[bool], scores: Sequence[float], recall: float) -> float:
    """The highest threshold (0.01 steps) whose recall still reaches ``recall``."""
    positives = sorted(score for score, label in zip(scores, labels, strict=True) if label)
    allowed_misses = int(len(positives) * (1.0 - recall))
    return max(0.01, int(positives[allowed_misses] * 100) / 100)


def _threshold_for_precision(
    labels: Sequence[bool], scores: Sequence[float], precision: float
) -> float:
    """The lowest threshold (0.01 steps) whose precision reaches ``precision``."""
    for step in range(1, 100):
        predictions = [score >= step / 100 for score in scores]
        if metrics(labels, predictions)[0] >= precision:
            return step / 100
    return 0.99


def _out_of_fold_scores(
    rows: Sequence[tuple[str, dict[str, object]]], config: TrainingConfig, seed: int
) -> list[float]:
    strata = [f"{name[:6]}:{row.get('lang', '')}:{row['is_request']}" for name, row in rows]
    scores = [0.0] * len(rows)
    for train_index, test_index in StratifiedKFold(5, shuffle=True, random_state=seed).split(
        strata, strata
    ):
        training = [
            LabelledText(
                str(rows[i][1]["text"]),
                bool(rows[i][1]["is_request"]),
                config.public_weight if rows[i][0].startswith("public_") else 1.0,
            )
            for i in train_index
        ]
        model = train_classifier(training, config)
        for index in test_index:
            scores[index] = model.score(str(rows[index][1]["text"]))
    return scores


def calibrate(config: TrainingConfig) -> None:
    """Out-of-fold scores over all training rows, and thresholds that meet the targets.

    Eight shufflings of the folds (the 600-row target is small); the suggested threshold is the
    mean of them.
    """
    rows: list[tuple[str, dict[str, object]]] = []
    for path in default_training_files():
        rows.extend((path.name, row) for row in read_jsonl(path))
    slack = [i for i, (name, _) in enumerate(rows) if not name.startswith("public_")]
    labels = [bool(rows[i][1]["is_request"]) for i in slack]
    target = [k for k, i in enumerate(slack) if rows[i][0] == CALIBRATION_FILE]
    target_labels = [labels[k] for k in target]
    started = time.perf_counter()
    suggestions: dict[Strictness, list[float]] = defaultdict(list)
    runs: list[list[float]] = []
    for seed in CALIBRATION_SEEDS:
        scores = _out_of_fold_scores(rows, config, seed)
        picked = [scores[i] for i in slack]
        runs.append(picked)
        target_scores = [picked[k] for k in target]
        for level in (Strictness.AGGRESSIVE, Strictness.BALANCED):
            suggestions[level].append(
                _threshold_for_recall(target_labels, target_scores, RECALL_TARGETS[level])
            )
        suggestions[Strictness.CONSERVATIVE].append(
            _threshold_for_precision(target_labels, target_scores, CONSERVATIVE_PRECISION_TARGET)
        )
    print(
        f"\n== Threshold calibration: 5-fold out-of-fold scores x {len(CALIBRATION_SEEDS)} "
        f"shufflings, all {len(rows)} training rows ({time.perf_counter() - started:.0f}s) =="
    )
    print(
        f"   Slack-style rows (own + slack_style_train): n={len(slack)}; first shuffling; "
        f"targets are met on the {len(target)} {CALIBRATION_FILE} rows:"
    )
    targets = {
        Strictness.AGGRESSIVE: f"recall >= {RECALL_TARGETS[Strictness.AGGRESSIVE]}",
        Strictness.BALANCED: f"recall >= {RECALL_TARGETS[Strictness.BALANCED]}",
        Strictness.CONSERVATIVE: f"precision >= {CONSERVATIVE_PRECISION_TARGET}",
    }
    for level in Strictness:
        current = THRESHOLDS[level]
        print(line(f"{level.value} current {current:.2f}", labels, runs[0], current))
        print(
            line(
                f"  {CALIBRATION_FILE[:-6]} only",
                target_labels,
                [runs[0][k] for k in target],
                current,
            )
        )
        values = suggestions[level]
        print(
            f"     target {targets[level]} -> thresholds "
            + ", ".join(f"{value:.2f}" for value in values)
            + f"; mean {sum(values) / len(values):.2f}"
        )
    for language in LANGUAGES:
        chosen = [k for k, i in enumerate(slack) if rows[i][1].get("lang") == language]
        print(
            line(
                f"own {language} (balanced)",
                [labels[k] for k in chosen],
                [runs[0][k] for k in chosen],
                BALANCED,
            )
        )


def trained_model(config: TrainingConfig) -> LocalClassifier:
    training: list[LabelledText] = []
    for path in default_training_files():
        weight = config.public_weight if path.name.startswith("public_") else 1.0
        training.extend(examples(read_jsonl(path), weight))
    started = time.perf_counter()
    model = train_classifier(training, config)
    print(
        f"\n== Model on all {len(training)} training rows "
        f"(trained in {time.perf_counter() - started:.1f}s) =="
    )
    # What a worker serves: the weights as rounded into the JSON cache.
    return LocalClassifier.from_json(model.to_json(), loaded_from_cache=True)


def held_out(model: LocalClassifier, name: str) -> None:
    pipeline = build_pipeline(classifier=model)
    rows = read_jsonl(DATA_DIR / name)
    labels = [bool(row["is_request"]) for row in rows]
    # Pipeline scores: 0 where the prefilter decides, else the local score (for any strictness).
    scores = [pipeline.decide(DetectionInput(text=str(row["text"]))).score for row in rows]
    print(f"\n== Held-out {name} through the pipeline (never trained on) ==")
    for level in Strictness:
        print(
            line(f"{level.value} (>= {THRESHOLDS[level]:.2f})", labels, scores, THRESHOLDS[level])
        )
    by_language: dict[str, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        by_language[str(row.get("lang", "?"))].append(index)
    for level in Strictness:
        print(f"   per language ({level.value}):")
        for language, picked in sorted(by_language.items()):
            print(
                line(
                    language,
                    [labels[i] for i in picked],
                    [scores[i] for i in picked],
                    THRESHOLDS[level],
                )
            )


def throughput(model: LocalClassifier) -> None:
    texts = [
        str(row["text"])
        for name in (*HOLDOUT_FILES, SHARED_FILES[0])
        for row in read_jsonl(DATA_DIR / name)
    ]
    for text in texts[:200]:
        model.score(text)  # warm-up
    gc.collect()
    gc.freeze()  # the training runs above leave a large heap; a worker does not carry it
    rates = []
    for _ in range(3):
        started = time.perf_counter()
        for text in texts:
            model.score(text)
        rates.append(len(texts) / (time.perf_counter() - started))
    gc.unfreeze()
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
    print("   thresholds: " + ", ".join(f"{k.value} {v:.2f}" for k, v in THRESHOLDS.items()))
    cross_validate(config)
    calibrate(config)
    model = trained_model(config)
    for name in HOLDOUT_FILES:
        held_out(model, name)
    throughput(model)


if __name__ == "__main__":
    main()
