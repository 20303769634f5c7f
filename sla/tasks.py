"""Celery entry points of the SLA app."""

from celery import shared_task
from django.utils import timezone


@shared_task(name="sla.evaluate_due_clocks")
def evaluate_due_clocks() -> str:
    """Periodic (beat, every SLA_EVALUATION_INTERVAL_SECONDS): one evaluation tick."""
    from sla.evaluation import evaluate_due_clocks

    return evaluate_due_clocks(now=timezone.now()).summary()
