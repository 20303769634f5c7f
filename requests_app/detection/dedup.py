"""Near-duplicate search between text collections (keeps held-out files independent).

Two messages are near-duplicates when the Jaccard similarity of their character 4-gram sets,
after case, accent and punctuation folding, reaches a threshold (0.5 for our data files).
A prefix filter over globally rare grams keeps the search fast enough for a unit test.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence

NEAR_DUPLICATE_JACCARD = 0.5
_PUNCTUATION = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case text without accents, punctuation or repeated whitespace."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SPACES.sub(" ", _PUNCTUATION.sub(" ", plain)).strip()


def char_4grams(text: str) -> frozenset[str]:
    """Character 4-grams of the folded text (the whole text if shorter than four)."""
    folded = fold(text)
    if len(folded) < 4:
        return frozenset([folded]) if folded else frozenset()
    return frozenset(folded[i : i + 4] for i in range(len(folded) - 3))


def jaccard(left: frozenset[str], right: frozenset[str]) -> float:
    """Jaccard similarity of two gram sets (0 when both are empty)."""
    if not left and not right:
        return 0.0
    return len(left & right) / len(left | right)


def near_duplicates(
    candidates: Sequence[str],
    references: Sequence[str],
    threshold: float = NEAR_DUPLICATE_JACCARD,
) -> list[tuple[int, int, float]]:
    """(candidate index, reference index, similarity) for every pair at or above ``threshold``.

    Prefix filtering: with grams ordered from rare to common, two sets with Jaccard >= t must
    share one of the first ``|x| - ceil(t * |x|) + 1`` grams of each set, so only references
    sharing a prefix gram with the candidate are compared in full.
    """
    reference_grams = [char_4grams(text) for text in references]
    candidate_grams = [char_4grams(text) for text in candidates]
    frequency: dict[str, int] = {}
    for grams in (*reference_grams, *candidate_grams):
        for gram in grams:
            frequency[gram] = frequency.get(gram, 0) + 1

    def prefix(grams: frozenset[str]) -> list[str]:
        ordered = sorted(grams, key=lambda gram: (frequency[gram], gram))
        return ordered[: len(ordered) - math.ceil(threshold * len(ordered)) + 1]

    index: dict[str, list[int]] = {}
    for position, grams in enumerate(reference_grams):
        for gram in prefix(grams):
            index.setdefault(gram, []).append(position)
    pairs: list[tuple[int, int, float]] = []
    for position, grams in enumerate(candidate_grams):
        seen: set[int] = set()
        for gram in prefix(grams):
            for other in index.get(gram, ()):
                if other in seen:
                    continue
                seen.add(other)
                similarity = jaccard(grams, reference_grams[other])
                if similarity >= threshold:
                    pairs.append((position, other, similarity))
    return pairs
