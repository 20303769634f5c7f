"""Celery entry points of the Slack edge."""

from celery import shared_task
from django.utils import timezone


@shared_task(name="slack_integration.process_event")
def process_event(inbound_event_id: int) -> None:
    from slack_integration.services.events import process_inbound_event

    process_inbound_event(inbound_event_id=inbound_event_id)


@shared_task(name="slack_integration.sweep_inbound_events")
def sweep_inbound_events() -> int:
    """Periodic: re-enqueues events left pending (broker was down, worker crashed)."""
    from slack_integration.services.inbound import sweep_inbound_events

    return sweep_inbound_events(now=timezone.now())
