"""Alert writes: raise alerts for an event, deliver them with retries, refresh them."""

import logging
import random
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from alerts.backends import get_backend
from alerts.exceptions import AlertNotRetryableError, DeliveryError
from alerts.models import Alert, DeliveryStatus
from alerts.selectors import STALE_CLAIM_SECONDS, RuleMatcher, get_alert_view

logger = logging.getLogger(__name__)
# What rendering an alert reads, fetched with the alert in one query (delivery and refresh).
_RENDERED_RELATIONS = (
    "request__channel__workspace",
    "request__customer",
    "request__assignee",
    "request__root_message",
    "request__first_responder",
    "clock",
)

MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 5
BACKOFF_MAX_SECONDS = 1800


def raise_alerts(
    *,
    customer_request: Any,
    event: str,
    clock: Any | None = None,
    extra_destinations: Sequence[str] = (),
    rules: RuleMatcher | None = None,
) -> list[Alert]:
    """Creates the alerts that ``event`` on ``customer_request`` calls for, one per destination.

    Every enabled rule for the event whose scope covers the request's channel matches; rules
    sharing a destination share one alert. ``extra_destinations`` (an escalation's target)
    get the alert without a rule. The unique constraint makes a re-run (or a second
    evaluator) a no-op. Delivery is enqueued after commit. Returns the alerts created now.
    """
    channel = customer_request.channel
    rules = (rules or RuleMatcher()).matching(
        workspace_id=customer_request.workspace_id,
        event=event,
        channel_id=channel.pk,
        segment=channel.segment,
    )
    by_destination: dict[str, list] = {}
    for rule in rules:
        by_destination.setdefault(rule.destination, []).append(rule)
    for destination in extra_destinations:
        by_destination.setdefault(destination, [])
    occurrence = str(clock.pk) if clock is not None else ""
    created = []
    for destination, matched in by_destination.items():
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    workspace_id=customer_request.workspace_id,
                    request=customer_request,
                    event=event,
                    destination=destination,
                    occurrence=occurrence,
                    clock=clock,
                )
        except IntegrityError:
            continue  # already raised for this request, event and destination
        if matched:
            alert.rules.add(*matched)
        created.append(alert)
        transaction.on_commit(lambda alert_id=alert.pk: enqueue_delivery(alert_id))
    if created:
        logger.info(
            "alerts.raised",
            extra={
                "request_id": customer_request.pk,
                "event": event,
                "alert_ids": [alert.pk for alert in created],
            },
        )
    return created


def enqueue_delivery(alert_id: int, *, countdown: float | None = None) -> None:
    """Queues delivery; if the broker is down the retry sweep picks the alert up later."""
    from alerts.tasks import deliver_alert as deliver_alert_task

    try:
        deliver_alert_task.apply_async((alert_id,), countdown=countdown)
    except Exception:  # a broker outage must not fail the caller: the sweep retries
        logger.exception("alerts.enqueue_failed", extra={"alert_id": alert_id})


def _claim(alert_id: int) -> Alert | None:
    """Takes the alert for sending by a conditional update; None if someone else has it."""
    now = timezone.now()
    stale = now - timedelta(seconds=STALE_CLAIM_SECONDS)
    claimed = Alert.objects.filter(pk=alert_id).filter(
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED]
    ).update(status=DeliveryStatus.SENDING, claimed_at=now) or Alert.objects.filter(
        pk=alert_id, status=DeliveryStatus.SENDING, claimed_at__lte=stale
    ).update(claimed_at=now)
    if not claimed:
        return None
    return Alert.objects.select_related(*_RENDERED_RELATIONS).get(pk=alert_id)


def backoff_seconds(attempts: int) -> float:
    """Exponential backoff with full jitter, capped."""
    ceiling = min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0))
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 (jitter, not cryptography)


def deliver_alert(*, alert_id: int) -> Alert | None:
    """Sends one alert through the configured backend, recording the outcome on the row.

    Transient failures (rate limits, 5xx, timeouts) are rescheduled with backoff, honouring
    the destination's Retry-After; after MAX_ATTEMPTS, or on a permanent failure, the alert
    is marked gave_up with its error. Nothing is lost: the row always says what happened.
    """
    alert = _claim(alert_id)
    if alert is None:
        return None
    attempts = alert.attempts + 1
    try:
        delivered = get_backend().send(alert, get_alert_view(alert))
    except DeliveryError as error:
        return _record_failure(alert, attempts, error)
    Alert.objects.filter(pk=alert.pk).update(
        status=DeliveryStatus.SENT,
        attempts=attempts,
        sent_at=timezone.now(),
        last_error="",
        slack_channel=delivered.channel,
        slack_ts=delivered.ts,
        next_attempt_at=None,
    )
    logger.info("alerts.delivered", extra={"alert_id": alert.pk, "attempts": attempts})
    alert.refresh_from_db()
    return alert


def _record_failure(alert: Alert, attempts: int, error: DeliveryError) -> Alert:
    gave_up = not error.is_transient or attempts >= MAX_ATTEMPTS
    delay = error.retry_after if error.retry_after is not None else backoff_seconds(attempts)
    next_attempt_at = None if gave_up else timezone.now() + timedelta(seconds=delay)
    Alert.objects.filter(pk=alert.pk).update(
        status=DeliveryStatus.GAVE_UP if gave_up else DeliveryStatus.FAILED,
        attempts=attempts,
        last_error=error.message[:2000],
        next_attempt_at=next_attempt_at,
    )
    logger.warning(
        "alerts.delivery_failed",
        extra={
            "alert_id": alert.pk,
            "attempts": attempts,
            "gave_up": gave_up,
            "error": error.message,
            "retry_in_seconds": None if gave_up else round(delay, 1),
        },
    )
    if not gave_up:
        enqueue_delivery(alert.pk, countdown=delay)
    alert.refresh_from_db()
    return alert


def retry_alert(*, alert: Alert) -> Alert:
    """Puts a failed or abandoned alert back in the queue (the API's retry action)."""
    if alert.status not in (DeliveryStatus.FAILED, DeliveryStatus.GAVE_UP):
        raise AlertNotRetryableError(f"alert {alert.pk} is {alert.status}, not failed")
    Alert.objects.filter(pk=alert.pk).update(
        status=DeliveryStatus.PENDING, next_attempt_at=None, attempts=0
    )
    transaction.on_commit(lambda: enqueue_delivery(alert.pk))
    alert.refresh_from_db()
    return alert


def refresh_request_alerts(*, request_id: int) -> None:
    """Re-renders every delivered alert of a request in place (after its state changed)."""
    for alert in Alert.objects.filter(request_id=request_id, status=DeliveryStatus.SENT):
        transaction.on_commit(lambda alert_id=alert.pk: _enqueue_refresh(alert_id))


def _enqueue_refresh(alert_id: int) -> None:
    from alerts.tasks import refresh_alert as refresh_alert_task

    try:
        refresh_alert_task.delay(alert_id)
    except Exception:  # the alert stays as it was; the next state change re-renders it
        logger.exception("alerts.refresh_enqueue_failed", extra={"alert_id": alert_id})


def refresh_alert(*, alert_id: int) -> None:
    """Updates one delivered alert to show the request's current state."""
    alert = (
        Alert.objects.filter(pk=alert_id, status=DeliveryStatus.SENT)
        .select_related(*_RENDERED_RELATIONS)
        .first()
    )
    if alert is None:
        return
    try:
        get_backend().update(alert, get_alert_view(alert))
    except DeliveryError as error:
        logger.warning(
            "alerts.refresh_failed", extra={"alert_id": alert_id, "error": error.message}
        )
