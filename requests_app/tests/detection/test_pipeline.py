"""Pipeline-level behaviour: order of results, and robustness on arbitrary input."""

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from requests_app.detection import (
    Decision,
    DetectionInput,
    DetectionPipeline,
    InMemoryDiscardIndex,
    LocalClassifier,
    build_pipeline,
)


def test_decide_many_preserves_input_order(pipeline: DetectionPipeline) -> None:
    texts = [
        "thanks!",
        "the export has been failing since Monday",
        ":tada:",
        "can you reset MFA for jane@acme.io?",
        "have a nice weekend",
        "",
    ]
    items = [DetectionInput(text=text) for text in texts]

    batch = pipeline.decide_many(items)

    assert batch == [pipeline.decide(item) for item in items]
    assert [decision.is_request for decision in batch] == [False, True, False, True, False, False]


def test_decide_many_accepts_any_iterable(pipeline: DetectionPipeline) -> None:
    decisions = pipeline.decide_many(DetectionInput(text=t) for t in ["ok", "is the API down?"])

    assert [decision.is_request for decision in decisions] == [False, True]


def test_decisions_report_the_deciding_stage(pipeline: DetectionPipeline) -> None:
    decision = pipeline.decide(DetectionInput(text="is the sandbox down again?"))

    assert decision.stage == "local_classifier"
    assert decision.reason.startswith("local classifier: score ")
    assert decision.matched_discard_id is None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.text(max_size=400),
    is_bot=st.booleans(),
    strictness=st.sampled_from(["aggressive", "balanced", "conservative", "", "LOUD", "??"]),
    workspace_key=st.text(max_size=20),
)
def test_the_pipeline_never_raises_on_arbitrary_text(
    pipeline: DetectionPipeline, text: str, is_bot: bool, strictness: str, workspace_key: str
) -> None:
    decision = pipeline.decide(
        DetectionInput(text=text, is_bot=is_bot, strictness=strictness, workspace_key=workspace_key)
    )

    assert isinstance(decision, Decision)
    assert isinstance(decision.is_request, bool)
    assert 0.0 <= decision.score <= 1.0
    assert decision.reason


@settings(max_examples=100, deadline=None)
@given(
    discarded=st.text(max_size=200),
    text=st.text(max_size=200),
)
def test_discard_suppression_never_raises_on_arbitrary_text(
    classifier: LocalClassifier, discarded: str, text: str
) -> None:
    index = InMemoryDiscardIndex()
    index.add(7, discarded, "T1")
    with_index = build_pipeline(classifier=classifier, discard_index=index)

    decision = with_index.decide(DetectionInput(text=text, workspace_key="T1"))

    assert 0.0 <= decision.score <= 1.0
    assert decision.matched_discard_id in (None, 7)


def test_a_huge_pasted_log_is_decided_quickly(pipeline: DetectionPipeline) -> None:
    pasted = "a" * 200_000 + " user@example.com " + "x." * 50_000
    started = time.perf_counter()

    decision = pipeline.decide(DetectionInput(text=pasted))

    assert 0.0 <= decision.score <= 1.0
    assert time.perf_counter() - started < 5.0
