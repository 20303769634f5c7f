"""The local classifier: trained with scikit-learn, scored in pure Python.

Training fits a logistic regression on three feature groups from ``text.extract_features``:
word n-grams and character n-grams (each TF-IDF weighted with sublinear tf and L2-normalised,
as scikit-learn's ``TfidfVectorizer`` does) plus binary ``meta`` features. The fitted weights
are exported into plain dicts, so scoring one message costs a few dict lookups instead of
scikit-learn's ~1.5 ms per-call overhead. The exported model is cached on disk as JSON, keyed
by a hash of the training files and of this code, so changing either retrains it.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from requests_app.detection.text import analyze, char_ngrams

MODEL_FORMAT = 1
DATA_DIR = Path(__file__).resolve().parent / "data"
_WORD_CACHE_SIZE = 200_000  # distinct words memoised per classifier (a few tens of MB at most)


class LabelledText(NamedTuple):
    """One training example; ``weight`` scales its influence (off-domain rows weigh less)."""

    text: str
    is_request: bool
    weight: float = 1.0


@dataclass(frozen=True)
class TrainingConfig:
    """Hyper-parameters of the local classifier (chosen by cross-validation, see the bench)."""

    c: float = 8.0
    char_weight: float = 1.3
    word_weight: float = 1.0
    meta_weight: float = 0.5
    min_df_char: int = 2
    min_df_word: int = 1
    public_weight: float = 0.2


def default_training_files(data_dir: Path = DATA_DIR) -> list[Path]:
    """The shipped training files: everything in ``data/`` except the held-out set."""
    names = ["slack_style_train.jsonl", "public_devset.jsonl"]
    files = [data_dir / name for name in names if (data_dir / name).exists()]
    files.extend(sorted(data_dir.glob("own_*.jsonl")))
    return files


def holdout_files(data_dir: Path = DATA_DIR) -> list[Path]:
    """The held-out evaluation files (never trained on), in the order they were written."""

    def batch(path: Path) -> int:
        digits = re.sub(r"\D", "", path.name)
        return int(digits) if digits else 1

    return sorted(data_dir.glob("holdout*.jsonl"), key=batch)


def read_jsonl(path: Path) -> list[dict[str, object]]:
    """Rows of a JSONL file (blank lines ignored)."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_examples(files: Iterable[Path], config: TrainingConfig) -> list[LabelledText]:
    """Training examples from JSONL files; rows of ``public_*`` files get ``public_weight``."""
    examples: list[LabelledText] = []
    for path in files:
        weight = config.public_weight if path.name.startswith("public_") else 1.0
        examples.extend(
            LabelledText(str(row["text"]), bool(row["is_request"]), weight)
            for row in read_jsonl(path)
        )
    return examples


def _sigmoid(logit: float) -> float:
    if logit >= 0:
        return 1.0 / (1.0 + math.exp(-logit))
    exp = math.exp(logit)
    return exp / (1.0 + exp)


def _group_logit(counts: Counter[str], table: dict[str, tuple[float, float]]) -> float:
    """Dot product of the L2-normalised sublinear TF-IDF vector with the group's weights."""
    dot = 0.0
    norm = 0.0
    for feature, tf in counts.items():
        entry = table.get(feature)
        if entry is None:
            continue
        idf, coefficient = entry
        value = idf if tf == 1 else (1.0 + math.log(tf)) * idf
        dot += value * coefficient
        norm += value * value
    return dot / math.sqrt(norm) if norm > 0.0 else 0.0


class _WordGrams(NamedTuple):
    """A word's in-vocabulary character n-grams (with repeats) and their summed weights."""

    grams: tuple[str, ...]
    dot: float  # sum of idf * coefficient over ``grams``
    square: float  # sum of idf ** 2 over ``grams``


def _char_logit(words: list[_WordGrams], table: dict[str, tuple[float, float]]) -> float:
    """``_group_logit`` of the words' character n-grams, from per-word sums.

    Every n-gram counted once contributes ``idf * coef`` to the dot product and ``idf ** 2`` to
    the squared norm, which the per-word sums already hold; only the n-grams seen more than once
    in the message need the sublinear-tf correction.
    """
    dot = 0.0
    norm = 0.0
    counts: Counter[str] = Counter()
    for word in words:
        dot += word.dot
        norm += word.square
        counts.update(word.grams)
    if len(counts) < sum(counts.values()):
        for gram, tf in counts.most_common():
            if tf == 1:
                break
            idf, coefficient = table[gram]
            value = (1.0 + math.log(tf)) * idf
            dot += (value - tf * idf) * coefficient
            norm += value * value - tf * idf * idf
    return dot / math.sqrt(norm) if norm > 0.0 else 0.0


class LocalClassifier:
    """A linear model over ``extract_features`` output, scored without scikit-learn."""

    def __init__(
        self,
        *,
        bias: float,
        tables: dict[str, dict[str, tuple[float, float]]],
        meta: dict[str, float],
        cache_key: str = "",
        loaded_from_cache: bool = False,
        training_rows: int = 0,
    ) -> None:
        self.bias = bias
        self.tables = tables
        self.meta = meta
        self.cache_key = cache_key
        self.loaded_from_cache = loaded_from_cache
        self.training_rows = training_rows
        self._word_grams: dict[str, _WordGrams] = {}

    def score(self, text: str) -> float:
        """Probability-like score in [0, 1] that ``text`` is a request.

        Equivalent to weighting ``extract_features(text)``, but the in-vocabulary character
        n-grams of each word are memoised, since words repeat across messages.
        """
        analysis = analyze(text)
        char_table = self.tables["char"]
        cache = self._word_grams
        words: list[_WordGrams] = []
        for word in analysis.words:
            entry = cache.get(word)
            if entry is None:
                grams = tuple(gram for gram in char_ngrams(word) if gram in char_table)
                weights = [char_table[gram] for gram in grams]
                entry = _WordGrams(
                    grams,
                    sum(idf * coefficient for idf, coefficient in weights),
                    sum(idf * idf for idf, _ in weights),
                )
                if len(cache) < _WORD_CACHE_SIZE:
                    cache[word] = entry
            words.append(entry)
        logit = self.bias
        logit += _group_logit(Counter(analysis.word_features), self.tables["word"])
        logit += _char_logit(words, char_table)
        meta = self.meta
        for feature in set(analysis.meta_features):
            logit += meta.get(feature, 0.0)
        return _sigmoid(logit)

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable copy of the weights (what the disk cache stores)."""
        return {
            "format": MODEL_FORMAT,
            "cache_key": self.cache_key,
            "training_rows": self.training_rows,
            "bias": self.bias,
            "tables": {
                group: {f: [round(idf, 6), round(coef, 7)] for f, (idf, coef) in table.items()}
                for group, table in self.tables.items()
            },
            "meta": self.meta,
        }

    @classmethod
    def from_json(cls, payload: dict[str, Any], *, loaded_from_cache: bool) -> LocalClassifier:
        """Rebuild a classifier from ``to_json`` output."""
        tables = {
            group: {feature: (float(v[0]), float(v[1])) for feature, v in table.items()}
            for group, table in payload["tables"].items()
        }
        return cls(
            bias=float(payload["bias"]),
            tables=tables,
            meta={str(feature): float(w) for feature, w in payload["meta"].items()},
            cache_key=str(payload.get("cache_key", "")),
            loaded_from_cache=loaded_from_cache,
            training_rows=int(payload.get("training_rows", 0)),
        )
