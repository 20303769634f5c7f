"""The detection pipeline as the app uses it: settings-driven LLM, DB-backed discard index."""

import logging
from functools import cache

from django.conf import settings

from requests_app.detection import (
    Decision,
    DetectionInput,
    DetectionPipeline,
    LLMSettings,
    build_pipeline,
    fingerprint,
    fingerprint_similarity,
)
from requests_app.models import DiscardedMessage

logger = logging.getLogger(__name__)

# Suppression compares a new message with this many recent discards of its workspace.
DISCARD_WINDOW = 500


class DatabaseDiscardIndex:
    """Discard suppression over the workspace's recent active discards."""

    def most_similar(self, text: str, workspace_key: str) -> tuple[float, int | None]:
        best_score, best_id = 0.0, None
        probe = fingerprint(text)
        rows = (
            DiscardedMessage.objects.filter(workspace_id=int(workspace_key), is_active=True)
            .order_by("-created_at")
            .values_list("request_id", "fingerprint")[:DISCARD_WINDOW]
        )
        for request_id, stored in rows:
            score = fingerprint_similarity(probe, stored)
            if score > best_score:
                best_score, best_id = score, request_id
        return best_score, best_id


def llm_settings() -> LLMSettings | None:
    """The LLM stage is on exactly when a model and an endpoint or key are configured."""
    if not settings.DETECTION_LLM_MODEL or not (
        settings.OPENAI_BASE_URL or settings.OPENAI_API_KEY
    ):
        return None
    return LLMSettings(
        base_url=settings.OPENAI_BASE_URL or "https://api.openai.com/v1",
        api_key=settings.OPENAI_API_KEY or "not-needed",
        model=settings.DETECTION_LLM_MODEL,
        timeout_seconds=settings.DETECTION_LLM_TIMEOUT_SECONDS,
    )


@cache
def _pipeline(llm: LLMSettings | None) -> DetectionPipeline:
    return build_pipeline(discard_index=DatabaseDiscardIndex(), llm=llm)


def get_pipeline() -> DetectionPipeline:
    """The shared pipeline (the local model loads once per process)."""
    return _pipeline(llm_settings())


def decide_message(
    *, text: str, workspace_id: int, strictness: str, is_bot: bool = False
) -> Decision:
    """Runs the pipeline for one message of a workspace."""
    return get_pipeline().decide(
        DetectionInput(
            text=text, is_bot=is_bot, workspace_key=str(workspace_id), strictness=strictness
        )
    )


def discard_fingerprint(text: str) -> dict | list:
    """What a discard stores so suppression can compare against it."""
    return fingerprint(text)
