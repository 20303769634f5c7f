"""The shipped data: held-out files stay out of training and independent of it."""

import re
from collections import Counter

import pytest

from requests_app.detection.dedup import char_4grams, fold, jaccard, near_duplicates
from requests_app.detection.model import (
    DATA_DIR,
    default_training_files,
    holdout_files,
    read_jsonl,
)

HOLDOUT_FILES = tuple(path.name for path in holdout_files())
# Written after the first batch, each checked against every training row when it was added.
LATER_HOLDOUTS = HOLDOUT_FILES[1:]
LANGUAGES = ("en", "es", "de", "fr", "pt")
_EMOJI = re.compile(r":[a-z0-9_+\-']+:", re.IGNORECASE)


def _has_words(text: str) -> bool:
    """False for emoji-only messages (the prefilter decides those, not the model)."""
    return any(char.isalpha() for char in _EMOJI.sub(" ", text))


def test_held_out_files_are_never_trained_on() -> None:
    names = {path.name for path in default_training_files()}

    assert HOLDOUT_FILES[:2] == ("holdout_slack.jsonl", "holdout2_slack.jsonl")
    assert len(HOLDOUT_FILES) >= 5
    assert not names & set(HOLDOUT_FILES)
    assert {"slack_style_train.jsonl", "public_devset.jsonl"} <= names
    batches = {name[:11] for name in names}
    assert batches >= {"own_slack2_", "own_slack3_", "own_slack4_", "own_slack5_", "own_slack6_"}


@pytest.mark.parametrize("name", LATER_HOLDOUTS)
def test_later_holdout_schema_size_and_balance(name: str) -> None:
    rows = read_jsonl(DATA_DIR / name)
    languages = Counter(str(row["lang"]) for row in rows)

    assert len(rows) >= 550
    assert len({row["id"] for row in rows}) == len(rows)
    assert all(set(row) == {"id", "text", "is_request", "category", "lang"} for row in rows)
    assert set(languages) == set(LANGUAGES)
    assert 0.28 <= languages["en"] / len(rows) <= 0.60
    for language in LANGUAGES:
        picked = [row for row in rows if row["lang"] == language]
        requests = sum(1 for row in picked if row["is_request"])
        assert 0.4 <= requests / len(picked) <= 0.6, language
        if language != "en":
            assert languages[language] / len(rows) >= 0.10, language


@pytest.mark.parametrize("name", LATER_HOLDOUTS)
def test_later_holdout_has_no_near_duplicate_in_training_data(name: str) -> None:
    held_out = [
        str(row["text"]) for row in read_jsonl(DATA_DIR / name) if _has_words(str(row["text"]))
    ]
    training = [str(row["text"]) for path in default_training_files() for row in read_jsonl(path)]

    assert near_duplicates(held_out, training) == []


def test_later_training_rows_have_no_near_duplicate_in_any_holdout() -> None:
    added = [
        str(row["text"])
        for path in sorted(DATA_DIR.glob("own_slack[2-9]_*.jsonl"))
        for row in read_jsonl(path)
        if _has_words(str(row["text"]))
    ]
    held_out = [str(row["text"]) for name in HOLDOUT_FILES for row in read_jsonl(DATA_DIR / name)]

    assert added
    assert near_duplicates(added, held_out) == []


def test_folding_ignores_case_accents_and_punctuation() -> None:
    assert fold("  L'Exportación   FALLÓ!! ") == "l exportacion fallo"
    assert char_4grams("ab") == frozenset(["ab"])
    assert char_4grams("...") == frozenset()


@pytest.mark.parametrize(
    ("left", "right", "similar"),
    [
        ("the CSV export is broken again", "The csv export is broken again!!", True),
        ("the CSV export is broken again", "can you add two seats to our plan?", False),
    ],
)
def test_near_duplicates_finds_paraphrases_only(left: str, right: str, similar: bool) -> None:
    pairs = near_duplicates([left], ["an unrelated message about invoices", right])

    assert bool(pairs) is similar
    if similar:
        assert pairs[0][:2] == (0, 1)
        assert pairs[0][2] == pytest.approx(jaccard(char_4grams(left), char_4grams(right)))
