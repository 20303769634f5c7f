"""Discard suppression: paraphrases of a discarded message stop being requests."""

import json

import pytest

from requests_app.detection import (
    DetectionInput,
    InMemoryDiscardIndex,
    LocalClassifier,
    build_pipeline,
    fingerprint,
    fingerprint_similarity,
    text_similarity,
)

DISCARDED = "the CSV export is broken again"


@pytest.mark.parametrize(
    "paraphrase",
    [
        "csv exports broke again today",
        "The CSV export is broken again!!",
        "CSV export broken again :face_palm:",
    ],
)
def test_paraphrases_are_similar(paraphrase: str) -> None:
    assert text_similarity(DISCARDED, paraphrase) >= 0.65


@pytest.mark.parametrize(
    "unrelated",
    [
        "SSO login fails for new users",
        "can you add two seats to our plan?",
        "the invoice for March has the wrong VAT number",
    ],
)
def test_unrelated_requests_are_not_similar(unrelated: str) -> None:
    assert text_similarity(DISCARDED, unrelated) < 0.3


def test_similarity_is_symmetric_and_bounded() -> None:
    forward = text_similarity(DISCARDED, "csv exports broke again today")
    backward = text_similarity("csv exports broke again today", DISCARDED)

    assert forward == backward
    assert 0.0 <= forward <= 1.0
    assert text_similarity(DISCARDED, DISCARDED) == 1.0


def test_fingerprints_survive_a_json_round_trip() -> None:
    stored = json.loads(json.dumps(fingerprint(DISCARDED)))

    assert fingerprint_similarity(stored, fingerprint("csv exports broke again today")) >= 0.65


def test_a_paraphrase_of_a_discarded_message_is_suppressed(
    classifier: LocalClassifier,
) -> None:
    index = InMemoryDiscardIndex()
    index.add(41, DISCARDED, "T-acme")
    pipeline = build_pipeline(classifier=classifier, discard_index=index)

    decision = pipeline.decide(
        DetectionInput(text="csv exports broke again today", workspace_key="T-acme")
    )

    assert decision.is_request is False
    assert decision.stage == "discard_suppression"
    assert decision.matched_discard_id == 41
    assert "41" in decision.reason


def test_an_unrelated_request_is_still_detected(classifier: LocalClassifier) -> None:
    index = InMemoryDiscardIndex()
    index.add(41, DISCARDED, "T-acme")
    pipeline = build_pipeline(classifier=classifier, discard_index=index)

    decision = pipeline.decide(
        DetectionInput(text="SSO login fails for new users", workspace_key="T-acme")
    )

    assert decision.is_request is True
    assert decision.matched_discard_id is None


def test_discards_in_another_workspace_do_not_suppress(classifier: LocalClassifier) -> None:
    index = InMemoryDiscardIndex()
    index.add(41, DISCARDED, "T-other")
    pipeline = build_pipeline(classifier=classifier, discard_index=index)

    decision = pipeline.decide(
        DetectionInput(text="csv exports broke again today", workspace_key="T-acme")
    )

    assert decision.is_request is True
    assert decision.stage == "local_classifier"


def test_the_closest_discarded_message_is_reported() -> None:
    index = InMemoryDiscardIndex()
    index.add(1, "SSO login fails for new users", "T-acme")
    index.add(2, DISCARDED, "T-acme")

    similarity, discarded_id = index.most_similar("csv exports broke again today", "T-acme")

    assert discarded_id == 2
    assert similarity >= 0.65


def test_an_empty_index_matches_nothing() -> None:
    assert InMemoryDiscardIndex().most_similar(DISCARDED, "T-acme") == (0.0, None)
