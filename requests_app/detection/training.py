"""Fitting the local classifier and caching it on disk.

scikit-learn and SciPy are imported inside ``train_classifier`` on purpose: a process that only
loads a cached model (a web worker, a Celery task) never pays for importing them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from requests_app.detection.model import (
    MODEL_FORMAT,
    LabelledText,
    LocalClassifier,
    TrainingConfig,
    default_training_files,
    load_examples,
)
from requests_app.detection.text import FEATURE_VERSION, extract_features

logger = logging.getLogger(__name__)

DEFAULT_CACHE_DIR = Path(__file__).resolve().parent / ".cache"
_CODE_FILES = ("text.py", "lexicon.py", "lexicon.toml", "model.py", "training.py")
_TEXT_GROUPS = ("word", "char")
_TRAIN_LOCK = threading.Lock()


def _vocabulary(
    docs: Sequence[dict[str, list[str]]], group: str, min_df: int
) -> dict[str, tuple[int, float]]:
    """Feature -> (column, smoothed idf) for features seen in at least ``min_df`` docs."""
    document_frequency: dict[str, int] = {}
    for doc in docs:
        for feature in set(doc[group]):
            document_frequency[feature] = document_frequency.get(feature, 0) + 1
    total = len(docs)
    kept = sorted(f for f, df in document_frequency.items() if df >= min_df)
    return {
        feature: (column, math.log((1 + total) / (1 + document_frequency[feature])) + 1.0)
        for column, feature in enumerate(kept)
    }


def _group_row(
    features: list[str], vocabulary: dict[str, tuple[int, float]], scale: float
) -> tuple[list[int], list[float]]:
    """Columns and L2-normalised sublinear TF-IDF values of one document's feature group."""
    counts: dict[str, int] = {}
    for feature in features:
        if feature in vocabulary:
            counts[feature] = counts.get(feature, 0) + 1
    columns: list[int] = []
    values: list[float] = []
    for feature, tf in counts.items():
        column, idf = vocabulary[feature]
        columns.append(column)
        values.append((1.0 + math.log(tf)) * idf)
    norm = math.sqrt(sum(v * v for v in values))
    if norm > 0.0:
        values = [scale * v / norm for v in values]
    return columns, values


def train_classifier(
    examples: Sequence[LabelledText], config: TrainingConfig | None = None
) -> LocalClassifier:
    """Fit a logistic regression on ``examples`` and export it as a ``LocalClassifier``."""
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    config = config or TrainingConfig()
    docs = [extract_features(example.text) for example in examples]
    scales = {"word": config.word_weight, "char": config.char_weight}
    min_df = {"word": config.min_df_word, "char": config.min_df_char}
    vocabularies = {g: _vocabulary(docs, g, min_df[g]) for g in _TEXT_GROUPS}
    meta_names = sorted({feature for doc in docs for feature in doc["meta"]})
    meta_columns = {feature: column for column, feature in enumerate(meta_names)}
    offsets = {"word": 0, "char": len(vocabularies["word"])}
    meta_offset = offsets["char"] + len(vocabularies["char"])

    indptr, indices, data = [0], [], []
    for doc in docs:
        for group in _TEXT_GROUPS:
            columns, values = _group_row(doc[group], vocabularies[group], scales[group])
            indices.extend(offsets[group] + column for column in columns)
            data.extend(values)
        for feature in set(doc["meta"]):
            indices.append(meta_offset + meta_columns[feature])
            data.append(config.meta_weight)
        indptr.append(len(indices))
    matrix = csr_matrix((data, indices, indptr), shape=(len(docs), meta_offset + len(meta_names)))
    labels = [int(example.is_request) for example in examples]
    model = LogisticRegression(C=config.c, class_weight="balanced", max_iter=5000)
    model.fit(matrix, labels, sample_weight=[example.weight for example in examples])
    coefficients = model.coef_[0]

    tables: dict[str, dict[str, tuple[float, float]]] = {}
    for group in _TEXT_GROUPS:
        offset = offsets[group]
        tables[group] = {
            feature: (idf, scales[group] * float(coefficients[offset + column]))
            for feature, (column, idf) in vocabularies[group].items()
            if coefficients[offset + column] != 0.0
        }
    meta = {
        feature: config.meta_weight * float(coefficients[meta_offset + column])
        for feature, column in meta_columns.items()
    }
    return LocalClassifier(
        bias=float(model.intercept_[0]), tables=tables, meta=meta, training_rows=len(examples)
    )


def cache_key(files: Sequence[Path], config: TrainingConfig) -> str:
    """Hash of the training files' contents, the hyper-parameters and this package's code."""
    digest = hashlib.sha256()
    digest.update(f"format={MODEL_FORMAT};features={FEATURE_VERSION};".encode())
    digest.update(json.dumps(asdict(config), sort_keys=True).encode())
    package_dir = Path(__file__).resolve().parent
    for name in _CODE_FILES:
        digest.update(name.encode())
        digest.update((package_dir / name).read_bytes())
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _write_atomically(path: Path, payload: dict[str, object]) -> None:
    """Write JSON next to ``path`` and rename it into place, so readers never see half a file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(payload, stream, ensure_ascii=False, separators=(",", ":"))
        os.chmod(temporary, 0o644)  # other worker users may need to read the shared cache
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _prepare_cache_dir(cache_dir: Path) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    ignore_file = cache_dir / ".gitignore"
    if not ignore_file.exists():
        ignore_file.write_text("*\n", encoding="utf-8")


def load_or_train(
    *,
    data_files: Sequence[Path] | None = None,
    cache_dir: Path | None = None,
    config: TrainingConfig | None = None,
) -> LocalClassifier:
    """The classifier for these files: loaded from the disk cache, or trained and cached.

    The cache file name carries ``cache_key``, so a change to a data file, the
    hyper-parameters or the feature code makes a new model; stale files are removed.
    """
    config = config or TrainingConfig()
    files = list(data_files) if data_files is not None else default_training_files()
    directory = cache_dir or DEFAULT_CACHE_DIR
    key = cache_key(files, config)
    path = directory / f"detector-{key[:24]}.json"
    with _TRAIN_LOCK:
        if path.exists():
            with path.open(encoding="utf-8") as stream:
                classifier = LocalClassifier.from_json(json.load(stream), loaded_from_cache=True)
            logger.info("detection.model_loaded", extra={"cache_key": key[:24]})
            return classifier
        started = time.perf_counter()
        trained = train_classifier(load_examples(files, config), config)
        trained.cache_key = key
        payload = trained.to_json()
        _prepare_cache_dir(directory)
        _write_atomically(path, payload)
        # Serve the rounded weights that were just cached, so every process scores alike.
        classifier = LocalClassifier.from_json(payload, loaded_from_cache=False)
        for stale in directory.glob("detector-*.json"):
            if stale != path:
                stale.unlink(missing_ok=True)
        logger.info(
            "detection.model_trained",
            extra={
                "cache_key": key[:24],
                "training_rows": classifier.training_rows,
                "seconds": round(time.perf_counter() - started, 2),
            },
        )
        return classifier
