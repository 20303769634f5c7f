"""The prefilter rejects what cannot carry a request, and lets everything else through."""

import pytest

from requests_app.detection import DetectionInput, DetectionPipeline


@pytest.mark.parametrize(
    ("text", "reason_part"),
    [
        ("", "empty"),
        ("   \n\t", "empty"),
        (":thumbsup:", "emoji"),
        ("👍", "emoji"),
        (":tada: :tada: 🎉", "emoji"),
        ("+1", "reaction"),
        ("ok", "too short"),
        ("ty", "too short"),
        ("k", "too short"),
        ("thanks!", "acknowledgement"),
        ("Danke.", "acknowledgement"),
        ("valeu", "acknowledgement"),
        ("lgtm :white_check_mark:", "acknowledgement"),
    ],
)
def test_trivial_messages_are_rejected_by_the_prefilter(
    pipeline: DetectionPipeline, text: str, reason_part: str
) -> None:
    decision = pipeline.decide(DetectionInput(text=text))

    assert decision.is_request is False
    assert decision.stage == "prefilter"
    assert decision.score == 0.0
    assert reason_part in decision.reason


def test_bot_authors_are_never_requests(pipeline: DetectionPipeline) -> None:
    decision = pipeline.decide(
        DetectionInput(text="Can you please check why the export fails?", is_bot=True)
    )

    assert decision.is_request is False
    assert decision.stage == "prefilter"
    assert "bot" in decision.reason


@pytest.mark.parametrize("text", ["??", "^ any update", "bump", "help", "<@U02HN7TQ4>"])
def test_short_nudges_reach_the_classifier(pipeline: DetectionPipeline, text: str) -> None:
    decision = pipeline.decide(DetectionInput(text=text))

    assert decision.stage == "local_classifier"


@pytest.mark.parametrize("text", ["up", "Up!", "petit up 🙏", "hoch :point_up:", "und?"])
def test_a_bare_bump_is_a_follow_up_not_too_short(pipeline: DetectionPipeline, text: str) -> None:
    decision = pipeline.decide(DetectionInput(text=text))

    assert decision.stage == "local_classifier"
    assert decision.is_request
    assert "too short" not in decision.reason


def test_up_inside_a_sentence_is_not_a_bump(pipeline: DetectionPipeline) -> None:
    decision = pipeline.decide(DetectionInput(text="set up the SSO yesterday, works fine"))

    assert not decision.is_request
