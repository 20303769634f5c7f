"""Strictness levels map to ordered thresholds on the local score."""

import pytest

from requests_app.detection import (
    THRESHOLDS,
    DetectionInput,
    Strictness,
    build_pipeline,
    threshold_for,
)
from requests_app.tests.detection.conftest import fixed_score_classifier


def test_thresholds_are_ordered_from_aggressive_to_conservative() -> None:
    assert (
        THRESHOLDS[Strictness.AGGRESSIVE]
        < THRESHOLDS[Strictness.BALANCED]
        < THRESHOLDS[Strictness.CONSERVATIVE]
    )
    assert all(0.0 < threshold < 1.0 for threshold in THRESHOLDS.values())


def test_unknown_strictness_falls_back_to_balanced() -> None:
    assert threshold_for("extreme") == THRESHOLDS[Strictness.BALANCED]
    assert threshold_for(" Conservative ") == THRESHOLDS[Strictness.CONSERVATIVE]


@pytest.mark.parametrize(
    ("strictness", "expected"),
    [("aggressive", True), ("balanced", True), ("conservative", False)],
)
def test_a_middling_score_is_a_request_only_for_lenient_strictness(
    strictness: str, expected: bool
) -> None:
    score = (THRESHOLDS[Strictness.BALANCED] + THRESHOLDS[Strictness.CONSERVATIVE]) / 2
    pipeline = build_pipeline(classifier=fixed_score_classifier(score))

    decision = pipeline.decide(
        DetectionInput(text="the numbers look a bit different", strictness=strictness)
    )

    assert decision.is_request is expected
    assert decision.stage == "local_classifier"
    assert f"({strictness})" in decision.reason


def test_a_low_score_is_a_request_only_when_aggressive() -> None:
    score = (THRESHOLDS[Strictness.AGGRESSIVE] + THRESHOLDS[Strictness.BALANCED]) / 2
    pipeline = build_pipeline(classifier=fixed_score_classifier(score))
    text = "the numbers look a bit different"

    verdicts = {
        level.value: pipeline.decide(DetectionInput(text=text, strictness=level.value)).is_request
        for level in Strictness
    }

    assert verdicts == {"aggressive": True, "balanced": False, "conservative": False}


def test_the_reason_states_score_comparison_and_strictness() -> None:
    pipeline = build_pipeline(classifier=fixed_score_classifier(0.91))

    decision = pipeline.decide(DetectionInput(text="where is the invoice"))

    assert decision.reason == (
        f"local classifier: score 0.91 >= {THRESHOLDS[Strictness.BALANCED]:.2f} (balanced)"
    )
