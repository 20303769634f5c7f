"""The ordered detection pipeline and its default wiring."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from requests_app.detection.core import (
    THRESHOLDS,
    Decision,
    DetectionInput,
    StageContext,
    parse_strictness,
)
from requests_app.detection.llm import LLMSettings, LLMStage
from requests_app.detection.model import LocalClassifier
from requests_app.detection.similarity import DiscardIndex
from requests_app.detection.stages import (
    DEFAULT_DISCARD_THRESHOLD,
    DiscardSuppressionStage,
    LocalClassifierStage,
    PrefilterStage,
    Stage,
)
from requests_app.detection.training import load_or_train


class DetectionPipeline:
    """Runs the stages in order; the first stage that returns a Decision wins.

    A stage that defers (the local classifier when an LLM stage follows) leaves its verdict in
    the context, and that verdict is the answer if no later stage decides, so the final
    classifier always decides.
    """

    def __init__(self, stages: Sequence[Stage]) -> None:
        self.stages = list(stages)

    def decide(self, item: DetectionInput) -> Decision:
        """The verdict on one message."""
        strictness = parse_strictness(item.strictness)
        context = StageContext(strictness=strictness, threshold=THRESHOLDS[strictness])
        for stage in self.stages:
            decision = stage.evaluate(item, context)
            if decision is not None:
                return decision
        if context.local is not None:
            return context.local
        return Decision(
            is_request=False, score=0.0, stage="pipeline", reason="no stage reached a verdict"
        )

    def decide_many(self, items: Iterable[DetectionInput]) -> list[Decision]:
        """Verdicts for several messages, in the same order."""
        return [self.decide(item) for item in items]


def build_pipeline(
    *,
    discard_index: DiscardIndex | None = None,
    llm: LLMSettings | None = None,
    classifier: LocalClassifier | None = None,
    cache_dir: Path | None = None,
    discard_threshold: float = DEFAULT_DISCARD_THRESHOLD,
) -> DetectionPipeline:
    """The standard pipeline: prefilter, discard suppression, local model, optional LLM.

    ``classifier`` defaults to the model trained on the shipped data, loaded from (or trained
    into) ``cache_dir``.
    """
    model = classifier or load_or_train(cache_dir=cache_dir)
    stages: list[Stage] = [PrefilterStage()]
    if discard_index is not None:
        stages.append(DiscardSuppressionStage(discard_index, threshold=discard_threshold))
    stages.append(LocalClassifierStage(model, defer_band=llm.band if llm else 0.0))
    if llm is not None:
        stages.append(LLMStage(llm))
    return DetectionPipeline(stages)
