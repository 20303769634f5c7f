"""The cheap stages of the detection pipeline: prefilter, discard suppression, local model.

Every stage has a ``name`` and an ``evaluate(item, context)`` method that returns a
``Decision`` to stop the pipeline, or ``None`` to let the next stage decide.
"""

from __future__ import annotations

import re
from typing import Protocol

from requests_app.detection.core import Decision, DetectionInput, StageContext
from requests_app.detection.lexicon import BARE_NUDGES, WORD_LISTS
from requests_app.detection.model import LocalClassifier
from requests_app.detection.similarity import DiscardIndex
from requests_app.detection.text import normalize

DEFAULT_DISCARD_THRESHOLD = 0.65

_EMOJI_CODE = re.compile(r":[a-z0-9_+\-']+:", re.IGNORECASE)
_PICTOGRAPH = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\U0001f1e6-\U0001f1ff"
    "\ufe0f\u200d\U0001f3fb-\U0001f3ff]"
)
_REACTION = re.compile(r"[+-]1|x\d+", re.IGNORECASE)
_LETTERS = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"\w+")
_ACKNOWLEDGEMENTS = WORD_LISTS["acknowledgements"]


class Stage(Protocol):
    """One step of the pipeline."""

    name: str

    def evaluate(self, item: DetectionInput, context: StageContext) -> Decision | None:
        """A final decision, or None to hand the message to the next stage."""
        ...


def _not_request(stage: str, reason: str) -> Decision:
    return Decision(is_request=False, score=0.0, stage=stage, reason=reason)


class PrefilterStage:
    """Rejects what cannot carry a request: bots, empty text, emoji, one-word acks."""

    name = "prefilter"

    def evaluate(self, item: DetectionInput, context: StageContext) -> Decision | None:
        """Not-a-request for trivially empty messages; None for anything with content."""
        if item.is_bot:
            return _not_request(self.name, "prefilter: posted by a bot")
        text = item.text if isinstance(item.text, str) else ""
        if not text.strip():
            return _not_request(self.name, "prefilter: empty message")
        without_emoji = _PICTOGRAPH.sub("", _EMOJI_CODE.sub(" ", text))
        if "?" in text or "^" in without_emoji or "<" in without_emoji:
            return None  # "??", "^" and bare mentions are nudges: let the model judge them
        remainder = without_emoji.strip()
        if not any(char.isalnum() for char in remainder) or _REACTION.fullmatch(remainder):
            return _not_request(self.name, "prefilter: emoji or reaction only")
        folded = normalize(remainder)
        letters = _LETTERS.findall(folded)
        if len(letters) <= 2 and " ".join(_WORD.findall(folded)) not in BARE_NUDGES:
            return _not_request(self.name, "prefilter: too short to carry a request")
        words = normalize(remainder).replace("!", " ").replace(".", " ").split()
        if len(words) == 1 and words[0] in _ACKNOWLEDGEMENTS:
            return _not_request(self.name, "prefilter: one-word acknowledgement")
        return None


class DiscardSuppressionStage:
    """Not-a-request when a similar message was discarded before in the same workspace."""

    name = "discard_suppression"

    def __init__(self, index: DiscardIndex, threshold: float = DEFAULT_DISCARD_THRESHOLD) -> None:
        self.index = index
        self.threshold = threshold

    def evaluate(self, item: DetectionInput, context: StageContext) -> Decision | None:
        """Suppress the message if the closest discarded one is similar enough."""
        similarity, discarded_id = self.index.most_similar(item.text, item.workspace_key)
        if discarded_id is None or similarity < self.threshold:
            return None
        return Decision(
            is_request=False,
            score=round(max(0.0, 1.0 - similarity), 4),
            stage=self.name,
            reason=(
                f"discard suppression: similarity {similarity:.2f} >= {self.threshold:.2f} "
                f"to discarded message {discarded_id}"
            ),
            matched_discard_id=discarded_id,
        )


def local_decision(score: float, context: StageContext) -> Decision:
    """The local classifier's verdict for ``score`` under the context's strictness."""
    is_request = score >= context.threshold
    comparison = ">=" if is_request else "<"
    return Decision(
        is_request=is_request,
        score=round(score, 4),
        stage=LocalClassifierStage.name,
        reason=(
            f"local classifier: score {score:.2f} {comparison} {context.threshold:.2f} "
            f"({context.strictness.value})"
        ),
    )


class LocalClassifierStage:
    """Scores the message with the local model; always decides unless asked to defer.

    With ``defer_band`` > 0 (set when an LLM stage follows), a score within that distance of
    the threshold is only recorded in the context, and the next stage gets to decide.
    """

    name = "local_classifier"

    def __init__(self, classifier: LocalClassifier, defer_band: float = 0.0) -> None:
        self.classifier = classifier
        self.defer_band = defer_band

    def evaluate(self, item: DetectionInput, context: StageContext) -> Decision | None:
        """The local verdict, or None (with ``context.local`` set) when it is uncertain."""
        decision = local_decision(self.classifier.score(item.text), context)
        context.local = decision
        if self.defer_band > 0 and abs(decision.score - context.threshold) <= self.defer_band:
            return None
        return decision
