"""Optional LLM stage: a second opinion for messages the local model is unsure about.

It is consulted only when the local score lies within ``band`` of the threshold, talks to any
OpenAI-compatible ``/chat/completions`` endpoint with a strict timeout and no retries, and on
any failure keeps the local verdict, saying so in the reason. Message text is sent to the
endpoint but never logged.
"""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass, field
from threading import Lock
from typing import Any

from requests_app.detection.core import Decision, DetectionInput, StageContext

logger = logging.getLogger(__name__)

# Score reported for an LLM verdict: confident, but distinguishable from the local model's.
LLM_REQUEST_SCORE = 0.9
LLM_NOT_REQUEST_SCORE = 0.1
_MAX_MESSAGE_CHARS = 2000
_SYSTEM_PROMPT = (
    "You classify messages that B2B customers post in a Slack channel shared with a vendor. "
    "A message is a REQUEST when the vendor has to answer or act: a question, a bug report, "
    "an ask, a complaint, a follow-up nudge such as 'any update?' or 'still seeing errors', "
    "or a polite indirect ask. It is NOT A REQUEST when it is thanks, an acknowledgement, "
    "a greeting, an FYI or status update needing no action, praise, small talk, a rhetorical "
    "question, a closing remark or emoji. Answer with exactly one word: "
    "'request' or 'not_request'."
)
_NEGATIVE = re.compile(r"\b(?:not[\s_-]*(?:a[\s_-]*)?request|no|false|non[\s_-]*request)\b")
_POSITIVE = re.compile(r"\b(?:request|yes|true)\b")


@dataclass(frozen=True)
class LLMSettings:
    """Where and how to reach the LLM. ``band`` is the distance from the threshold within
    which a local score counts as uncertain enough to ask."""

    base_url: str
    api_key: str = field(repr=False)
    model: str
    timeout_seconds: float = 3.0
    band: float = 0.15


def parse_verdict(answer: str) -> bool:
    """True for a 'request' answer, False for 'not a request'; ValueError otherwise."""
    cleaned = answer.strip().lower()
    try:
        payload = json.loads(cleaned)
    except ValueError:
        payload = None
    if isinstance(payload, dict) and isinstance(payload.get("is_request"), bool):
        return bool(payload["is_request"])
    if _NEGATIVE.search(cleaned):
        return False
    if _POSITIVE.search(cleaned):
        return True
    raise ValueError("unparsable LLM answer")


class LLMStage:
    """Asks the LLM about uncertain messages; falls back to the local verdict on any error."""

    name = "llm"

    def __init__(self, settings: LLMSettings) -> None:
        self.settings = settings
        self._client: Any = None
        self._client_lock = Lock()

    def _get_client(self) -> Any:
        with self._client_lock:
            if self._client is None:
                from openai import OpenAI  # imported lazily: only this stage needs it

                self._client = OpenAI(
                    base_url=self.settings.base_url,
                    api_key=self.settings.api_key,
                    timeout=self.settings.timeout_seconds,
                    max_retries=0,
                )
            return self._client

    def _ask(self, text: str) -> bool:
        completion = self._get_client().chat.completions.create(
            model=self.settings.model,
            messages=[
                {"role": "system", "content": _SYSTEM_PROMPT},
                {"role": "user", "content": text[:_MAX_MESSAGE_CHARS]},
            ],
            temperature=0,
            max_tokens=5,
        )
        return parse_verdict(completion.choices[0].message.content or "")

    def evaluate(self, item: DetectionInput, context: StageContext) -> Decision | None:
        """The LLM's verdict for an uncertain local score; the local verdict otherwise."""
        local = context.local
        if local is None:
            return None
        if abs(local.score - context.threshold) > self.settings.band:
            return local
        started = time.perf_counter()
        try:
            is_request = self._ask(item.text if isinstance(item.text, str) else "")
        except Exception as error:  # noqa: BLE001 - any LLM failure must degrade to local
            logger.warning(
                "detection.llm_fallback",
                extra={"error_type": type(error).__name__, "model": self.settings.model},
            )
            return Decision(
                is_request=local.is_request,
                score=local.score,
                stage=local.stage,
                reason=f"{local.reason}; LLM unavailable ({type(error).__name__}), kept local",
            )
        elapsed_ms = round((time.perf_counter() - started) * 1000)
        logger.info(
            "detection.llm_decided",
            extra={
                "is_request": is_request,
                "elapsed_ms": elapsed_ms,
                "model": self.settings.model,
            },
        )
        verdict = "request" if is_request else "not a request"
        return Decision(
            is_request=is_request,
            score=LLM_REQUEST_SCORE if is_request else LLM_NOT_REQUEST_SCORE,
            stage=self.name,
            reason=(
                f"LLM ({self.settings.model}): {verdict}; local score {local.score:.2f} was "
                f"within {self.settings.band:.2f} of {context.threshold:.2f} "
                f"({context.strictness.value})"
            ),
        )
