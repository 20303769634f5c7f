"""Value types shared by every detection stage: the input, the verdict and the strictness."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Strictness(StrEnum):
    """How eagerly a workspace wants messages turned into requests.

    Each level maps to a threshold on the local classifier's score (see ``THRESHOLDS``).
    """

    AGGRESSIVE = "aggressive"
    BALANCED = "balanced"
    CONSERVATIVE = "conservative"


# Read off out-of-fold scores (5-fold CV over slack_style_train plus our own rows) and checked
# on the held-out file; see data/README.md and bench/detection_bench.py. ``balanced`` favours
# recall (missed requests cost more than a discard click): recall ~0.96-0.98 of the request
# class at precision ~0.90-0.95. ``aggressive`` lifts recall to ~0.99 at precision ~0.86-0.89;
# ``conservative`` gives precision ~0.94-0.95 at recall ~0.88-0.93.
THRESHOLDS: dict[Strictness, float] = {
    Strictness.AGGRESSIVE: 0.30,
    Strictness.BALANCED: 0.45,
    Strictness.CONSERVATIVE: 0.65,
}


def parse_strictness(value: str | Strictness) -> Strictness:
    """Return the strictness named by ``value``, falling back to balanced for unknown names."""
    if isinstance(value, Strictness):
        return value
    try:
        return Strictness(str(value).strip().lower())
    except ValueError:
        return Strictness.BALANCED


def threshold_for(strictness: str | Strictness) -> float:
    """Score at or above which a message counts as a request for this strictness."""
    return THRESHOLDS[parse_strictness(strictness)]


@dataclass(frozen=True)
class Decision:
    """The verdict on one message, with the stage that reached it and why."""

    is_request: bool
    score: float
    stage: str
    reason: str
    matched_discard_id: int | None = None


@dataclass(frozen=True)
class DetectionInput:
    """One customer message to classify, with the context the stages need."""

    text: str
    is_bot: bool = False
    workspace_key: str = ""
    strictness: str = "balanced"


@dataclass
class StageContext:
    """Per-message scratch space the pipeline hands from stage to stage.

    ``local`` holds the local classifier's verdict once it has run, so a later stage (the LLM)
    can refine it or fall back to it.
    """

    strictness: Strictness
    threshold: float
    local: Decision | None = None
