"""Request detection: decides whether a customer's Slack message needs the vendor to act.

No Django here: the pipeline is configured by its arguments, so a management command, a
Celery task or a benchmark can build one. Typical use::

    pipeline = build_pipeline(discard_index=index, llm=settings_or_none)
    decision = pipeline.decide(DetectionInput(text=message, workspace_key="T123"))
"""

from requests_app.detection.core import (
    THRESHOLDS,
    Decision,
    DetectionInput,
    StageContext,
    Strictness,
    threshold_for,
)
from requests_app.detection.llm import LLMSettings, LLMStage
from requests_app.detection.model import LocalClassifier, TrainingConfig, default_training_files
from requests_app.detection.pipeline import DetectionPipeline, build_pipeline
from requests_app.detection.similarity import (
    DiscardIndex,
    InMemoryDiscardIndex,
    fingerprint,
    fingerprint_similarity,
    text_similarity,
)
from requests_app.detection.stages import (
    DiscardSuppressionStage,
    LocalClassifierStage,
    PrefilterStage,
    Stage,
)
from requests_app.detection.training import load_or_train, train_classifier

__all__ = [
    "THRESHOLDS",
    "Decision",
    "DetectionInput",
    "DetectionPipeline",
    "DiscardIndex",
    "DiscardSuppressionStage",
    "InMemoryDiscardIndex",
    "LLMSettings",
    "LLMStage",
    "LocalClassifier",
    "LocalClassifierStage",
    "PrefilterStage",
    "Stage",
    "StageContext",
    "Strictness",
    "TrainingConfig",
    "build_pipeline",
    "default_training_files",
    "fingerprint",
    "fingerprint_similarity",
    "load_or_train",
    "text_similarity",
    "threshold_for",
    "train_classifier",
]
