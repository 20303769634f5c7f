"""Storing Slack events before the ack, and handing them to the worker after commit.

The row is the durable record: if the broker is down the enqueue fails quietly and the
sweeper re-enqueues the row later. Slack's retries carry the same ``event_id`` and are
counted, never stored or processed twice.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from slack_integration.models import InboundEvent, InboundEventStatus

logger = logging.getLogger(__name__)

SWEEP_AFTER_SECONDS = 60
SWEEP_BATCH = 500


def installation_team_id(payload: dict[str, Any]) -> str:
    """The installing team: ``authorizations[0]``, never the outer (actor's) team_id."""
    authorizations = payload.get("authorizations") or []
    if authorizations and isinstance(authorizations[0], dict):
        return str(authorizations[0].get("team_id") or "")
    return str(payload.get("context_team_id") or payload.get("team_id") or "")


def record_inbound_event(
    *, payload: dict[str, Any], retry_num: int = 0
) -> tuple[InboundEvent, bool]:
    """Stores an Events API payload once; returns (row, created). Enqueues new rows on commit."""
    event = payload.get("event") or {}
    with transaction.atomic():
        inbound, created = InboundEvent.objects.get_or_create(
            event_id=payload["event_id"],
            defaults={
                "team_id": installation_team_id(payload),
                "event_type": str(event.get("type", ""))[:64],
                "event_subtype": str(event.get("subtype", ""))[:64],
                "payload": payload,
                "received_at": timezone.now(),
                "retry_count": retry_num,
            },
        )
        if created:
            transaction.on_commit(lambda: enqueue_processing(inbound.pk))
        else:
            InboundEvent.objects.filter(pk=inbound.pk).update(retry_count=F("retry_count") + 1)
    logger.info(
        "ingest.event_stored" if created else "ingest.event_duplicate",
        extra={"event_id": inbound.event_id, "team_id": inbound.team_id, "retry_num": retry_num},
    )
    return inbound, created


def enqueue_processing(inbound_event_id: int) -> bool:
    """Queues the worker task; False (and logged) if the broker did not take it."""
    from slack_integration.tasks import process_event as process_event_task

    try:
        process_event_task.delay(inbound_event_id)
    except Exception:  # broker down: the row stays pending and the sweeper re-enqueues it
        logger.exception("ingest.enqueue_failed", extra={"inbound_event_id": inbound_event_id})
        return False
    InboundEvent.objects.filter(pk=inbound_event_id).update(enqueued_at=timezone.now())
    return True


def list_stranded_event_ids(*, now: datetime) -> list[int]:
    """Pending rows older than the sweep delay whose last enqueue (if any) is as old."""
    cutoff = now - timedelta(seconds=SWEEP_AFTER_SECONDS)
    return list(
        InboundEvent.objects.filter(status=InboundEventStatus.PENDING, received_at__lte=cutoff)
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=cutoff))
        .order_by("received_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )


def sweep_inbound_events(*, now: datetime) -> int:
    """Re-enqueues stranded rows (broker was down, worker crashed); returns how many."""
    stranded = list_stranded_event_ids(now=now)
    enqueued = sum(enqueue_processing(event_id) for event_id in stranded)
    if stranded:
        logger.warning("ingest.swept", extra={"stranded": len(stranded), "enqueued": enqueued})
    return enqueued
