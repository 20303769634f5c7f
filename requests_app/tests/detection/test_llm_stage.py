"""The LLM stage, against a real OpenAI-compatible server on the loopback interface."""

import logging

import pytest

from requests_app.detection import (
    THRESHOLDS,
    DetectionInput,
    LLMSettings,
    Strictness,
    build_pipeline,
)
from requests_app.tests.detection.conftest import FakeLLMState, fixed_score_classifier

UNCERTAIN_SCORE = 0.5  # within the default band of the balanced threshold
# Just below the balanced threshold and still within the band: a local "not a request".
BELOW_THRESHOLD = THRESHOLDS[Strictness.BALANCED] - 0.05
MESSAGE = "the numbers in the weekly report look a bit different"


def _settings(base_url: str, **overrides: float) -> LLMSettings:
    return LLMSettings(
        base_url=base_url,
        api_key="test-key",
        model="test-model",
        timeout_seconds=overrides.get("timeout_seconds", 3.0),
        band=overrides.get("band", 0.15),
    )


def test_uncertain_message_becomes_a_request_when_the_llm_says_so(
    fake_llm: tuple[str, FakeLLMState],
) -> None:
    base_url, state = fake_llm
    state.answer = "request"
    pipeline = build_pipeline(
        classifier=fixed_score_classifier(BELOW_THRESHOLD), llm=_settings(base_url)
    )

    decision = pipeline.decide(DetectionInput(text=MESSAGE))

    assert decision.is_request is True
    assert decision.stage == "llm"
    assert "test-model" in decision.reason
    assert len(state.requests) == 1
    request = state.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["body"]["model"] == "test-model"
    assert request["body"]["messages"][-1]["content"] == MESSAGE


def test_uncertain_message_is_dropped_when_the_llm_says_not_a_request(
    fake_llm: tuple[str, FakeLLMState],
) -> None:
    base_url, state = fake_llm
    state.answer = "not a request"
    pipeline = build_pipeline(
        classifier=fixed_score_classifier(UNCERTAIN_SCORE), llm=_settings(base_url)
    )

    decision = pipeline.decide(DetectionInput(text=MESSAGE))

    assert decision.is_request is False
    assert decision.stage == "llm"
    assert len(state.requests) == 1


def test_a_slow_llm_falls_back_to_the_local_verdict(
    fake_llm: tuple[str, FakeLLMState], caplog: pytest.LogCaptureFixture
) -> None:
    base_url, state = fake_llm
    state.delay_seconds = 5.0
    pipeline = build_pipeline(
        classifier=fixed_score_classifier(UNCERTAIN_SCORE),
        llm=_settings(base_url, timeout_seconds=0.3),
    )

    with caplog.at_level(logging.WARNING):
        decision = pipeline.decide(DetectionInput(text=MESSAGE))

    assert decision.is_request is True
    assert decision.stage == "local_classifier"
    assert decision.score == UNCERTAIN_SCORE
    assert "LLM unavailable" in decision.reason
    assert "Timeout" in decision.reason
    assert [record.message for record in caplog.records] == ["detection.llm_fallback"]
    assert MESSAGE not in caplog.text


def test_a_server_error_falls_back_to_the_local_verdict(
    fake_llm: tuple[str, FakeLLMState],
) -> None:
    base_url, state = fake_llm
    state.status = 500
    pipeline = build_pipeline(
        classifier=fixed_score_classifier(BELOW_THRESHOLD), llm=_settings(base_url)
    )

    decision = pipeline.decide(DetectionInput(text=MESSAGE))

    assert decision.is_request is False
    assert decision.stage == "local_classifier"
    assert "LLM unavailable (InternalServerError)" in decision.reason
    assert len(state.requests) == 1  # no retries


def test_an_unparsable_answer_falls_back_to_the_local_verdict(
    fake_llm: tuple[str, FakeLLMState],
) -> None:
    base_url, state = fake_llm
    state.answer = "I am not sure, it depends"
    pipeline = build_pipeline(
        classifier=fixed_score_classifier(UNCERTAIN_SCORE), llm=_settings(base_url)
    )

    decision = pipeline.decide(DetectionInput(text=MESSAGE))

    assert decision.stage == "local_classifier"
    assert "LLM unavailable (ValueError)" in decision.reason


@pytest.mark.parametrize("score", [0.02, 0.97])
def test_a_confident_local_score_never_calls_the_llm(
    fake_llm: tuple[str, FakeLLMState], score: float
) -> None:
    base_url, state = fake_llm
    pipeline = build_pipeline(classifier=fixed_score_classifier(score), llm=_settings(base_url))

    decision = pipeline.decide(DetectionInput(text=MESSAGE))

    assert decision.stage == "local_classifier"
    assert decision.is_request is (score > 0.5)
    assert state.requests == []


def test_prefiltered_messages_never_reach_the_llm(fake_llm: tuple[str, FakeLLMState]) -> None:
    base_url, state = fake_llm
    pipeline = build_pipeline(
        classifier=fixed_score_classifier(UNCERTAIN_SCORE), llm=_settings(base_url)
    )

    decisions = pipeline.decide_many([DetectionInput(text=":tada:"), DetectionInput(text="ok")])

    assert [decision.stage for decision in decisions] == ["prefilter", "prefilter"]
    assert state.requests == []
