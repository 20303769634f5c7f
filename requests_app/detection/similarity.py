"""Paraphrase-tolerant similarity between messages, for discard suppression.

When a support lead discards a detected request, similar messages in the same workspace
should stop being detected. ``fingerprint`` reduces a message to crude multilingual stems
(stop words and Slack markup dropped, suffixes stripped, truncated to five characters) plus
character trigrams of those stems. The result is a small JSON-serialisable dict, so a
database-backed index can store it next to the discarded message and compare it later with
``fingerprint_similarity``, without re-reading the original text.
"""

from __future__ import annotations

from threading import Lock
from typing import Any, Protocol, runtime_checkable

from requests_app.detection.lexicon import WORD_LISTS, lexicon_list
from requests_app.detection.text import normalize, tokenize

FINGERPRINT_VERSION = 1
_STEM_LENGTH = 5
_TOKEN_SHARE = 0.6  # the rest of the similarity comes from character trigrams
_FULL_CONFIDENCE_STEMS = 3  # fewer stems than this scale the similarity down

_STOP_WORDS = WORD_LISTS["similarity_stop_words"]
# Longest first, so "aciones" is stripped before "es".
_SUFFIXES = tuple(lexicon_list("similarity_suffixes"))


def _stem(token: str) -> str:
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            token = token[: -len(suffix)]
            break
    return token[:_STEM_LENGTH]


def _content_stems(text: str) -> list[str]:
    stems = set()
    for token in tokenize(normalize(text)):
        if token.startswith("zz") and not token.startswith("zzhttp"):
            continue
        if token in _STOP_WORDS or (len(token) < 2 and not token.isdigit()):
            continue
        stems.add(_stem(token))
    return sorted(stems)


def fingerprint(text: str) -> dict[str, Any]:
    """A JSON-serialisable summary of ``text`` that ``fingerprint_similarity`` compares."""
    stems = _content_stems(text)
    joined = " " + " ".join(stems) + " "
    grams = sorted({joined[i : i + 3] for i in range(len(joined) - 2)}) if stems else []
    return {"v": FINGERPRINT_VERSION, "stems": stems, "grams": grams}


def _dice(left: set[str], right: set[str]) -> float:
    if not left or not right:
        return 0.0
    return 2.0 * len(left & right) / (len(left) + len(right))


def fingerprint_similarity(left: dict[str, Any], right: dict[str, Any]) -> float:
    """Similarity in [0, 1] of two ``fingerprint`` results (0 for incompatible versions)."""
    if left.get("v") != FINGERPRINT_VERSION or right.get("v") != FINGERPRINT_VERSION:
        return 0.0
    left_stems, right_stems = set(left.get("stems", ())), set(right.get("stems", ()))
    if not left_stems or not right_stems:
        return 0.0
    similarity = _TOKEN_SHARE * _dice(left_stems, right_stems) + (1 - _TOKEN_SHARE) * _dice(
        set(left.get("grams", ())), set(right.get("grams", ()))
    )
    # One shared word says little about whether two short messages mean the same thing.
    confidence = min(1.0, min(len(left_stems), len(right_stems)) / _FULL_CONFIDENCE_STEMS)
    return round(min(1.0, similarity * confidence), 4)


def text_similarity(left: str, right: str) -> float:
    """Similarity in [0, 1] between two messages; paraphrases score high."""
    return fingerprint_similarity(fingerprint(left), fingerprint(right))


@runtime_checkable
class DiscardIndex(Protocol):
    """Previously discarded messages, searchable per workspace."""

    def most_similar(self, text: str, workspace_key: str) -> tuple[float, int | None]:
        """(similarity 0..1, id) of the closest discarded message; (0.0, None) if none."""
        ...


class InMemoryDiscardIndex:
    """A ``DiscardIndex`` held in process memory (tests, benchmarks, one-off commands)."""

    def __init__(self) -> None:
        self._entries: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        self._lock = Lock()

    def add(self, id: int, text: str, workspace_key: str) -> None:
        """Remember that message ``id`` with ``text`` was discarded in ``workspace_key``."""
        entry = (id, fingerprint(text))
        with self._lock:
            self._entries.setdefault(workspace_key, []).append(entry)

    def most_similar(self, text: str, workspace_key: str) -> tuple[float, int | None]:
        """(similarity, id) of the closest discarded message in the same workspace."""
        with self._lock:
            entries = list(self._entries.get(workspace_key, ()))
        if not entries:
            return 0.0, None
        probe = fingerprint(text)
        best_similarity, best_id = 0.0, None
        for entry_id, stored in entries:
            similarity = fingerprint_similarity(probe, stored)
            if similarity > best_similarity:
                best_similarity, best_id = similarity, entry_id
        return best_similarity, best_id
