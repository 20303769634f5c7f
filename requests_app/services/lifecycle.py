"""A request's life: created, answered, followed up, cancelled. Each call is one transaction.

SLA clocks and alerts are inner apps: this module calls their services and they never call
back (STYLE.md §3).
"""

import logging
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from alerts.services import raise_alerts, refresh_request_alerts
from requests_app.models import (
    ACTIVE_REQUEST_STATUSES,
    EventSource,
    Message,
    Request,
    RequestEvent,
    RequestEventKind,
    RequestStatus,
)
from sla import services as sla_services
from sla.selectors import list_requests_answered_by_channel_replies
from slack_integration.models import SlackUser

logger = logging.getLogger(__name__)


def add_event(
    customer_request: Request,
    kind: str,
    *,
    source: str = EventSource.SYSTEM,
    actor: SlackUser | None = None,
    actor_user: object | None = None,
    at: datetime | None = None,
    from_status: str = "",
    to_status: str = "",
    detail: dict | None = None,
) -> RequestEvent:
    """Appends one entry to the request's timeline."""
    return RequestEvent.objects.create(
        request=customer_request,
        kind=kind,
        at=at or timezone.now(),
        source=source,
        actor=actor,
        actor_user=actor_user,
        from_status=from_status,
        to_status=to_status,
        detail=detail or {},
    )


@transaction.atomic
def create_request(
    *, root_message: Message, stage: str, score: float, reason: str, actor: SlackUser | None = None
) -> Request:
    """Opens a request from ``root_message``: timeline, SLA clocks and detection alerts."""
    now = timezone.now()
    customer_request = Request.objects.create(
        workspace_id=root_message.workspace_id,
        channel=root_message.channel,
        root_message=root_message,
        customer=root_message.author,
        detected_at=now,
        detection_stage=stage,
        detection_score=round(min(max(score, 0.0), 1.0), 4),
        detection_reason=reason[:1000],
    )
    Message.objects.filter(pk=root_message.pk).update(request=customer_request)
    root_message.request = customer_request
    add_event(
        customer_request,
        RequestEventKind.DETECTED,
        at=now,
        source=EventSource.SLACK if actor else EventSource.SYSTEM,
        actor=actor,
        to_status=RequestStatus.OPEN,
        detail={
            "stage": stage,
            "score": customer_request.detection_score,
            "reason": customer_request.detection_reason,
        },
    )
    sla_services.start_request_clocks(
        customer_request=customer_request, started_at=root_message.posted_at, now=now
    )
    raise_alerts(customer_request=customer_request, event="request_detected")
    logger.info(
        "requests.created",
        extra={
            "request_id": customer_request.pk,
            "stage": stage,
            "channel_id": root_message.channel_id,
        },
    )
    return customer_request


@transaction.atomic
def cancel_request(*, customer_request: Request) -> Request:
    """The root message was deleted: the request is cancelled and its clocks stop."""
    previous = customer_request.status
    Request.objects.filter(pk=customer_request.pk).update(status=RequestStatus.CANCELLED)
    customer_request.status = RequestStatus.CANCELLED
    add_event(
        customer_request,
        RequestEventKind.CANCELLED,
        from_status=previous,
        to_status=RequestStatus.CANCELLED,
        detail={"reason": "root message deleted"},
    )
    sla_services.cancel_request_clocks(customer_request=customer_request, now=timezone.now())
    refresh_request_alerts(request_id=customer_request.pk)
    return customer_request


def _requests_answered_by(message: Message) -> list[Request]:
    """Active requests a vendor message answers, per each request's policy.

    A reply in a thread answers that thread's request. A top-level message answers the
    channel's requests opened before it whose policy allows channel replies.
    """
    base = Request.objects.filter(channel=message.channel, status__in=ACTIVE_REQUEST_STATUSES)
    if message.thread_ts:
        return list(base.filter(root_message__ts=message.thread_ts)) or list(
            base.filter(messages__thread_ts=message.thread_ts).distinct()
        )
    candidates = list(base.filter(root_message__posted_at__lt=message.posted_at))
    answerable = list_requests_answered_by_channel_replies(
        request_ids=[customer_request.pk for customer_request in candidates]
    )
    return [
        customer_request for customer_request in candidates if customer_request.pk in answerable
    ]


@transaction.atomic
def record_vendor_response(*, message: Message) -> list[Request]:
    """A vendor message may be the first (or next) response to requests; returns those."""
    answered = _requests_answered_by(message)
    for customer_request in answered:
        if customer_request.first_response_at is None:
            Request.objects.filter(pk=customer_request.pk).update(
                first_response_at=message.posted_at, first_responder=message.author
            )
            customer_request.first_response_at = message.posted_at
            customer_request.first_responder = message.author
            add_event(
                customer_request,
                RequestEventKind.FIRST_RESPONSE,
                at=message.posted_at,
                source=EventSource.SLACK,
                actor=message.author,
                detail={"message_ts": message.ts},
            )
        if sla_services.record_response(
            customer_request=customer_request,
            responded_at=message.posted_at,
            responder_id=message.author_id,
        ):
            refresh_request_alerts(request_id=customer_request.pk)
    return answered


def working_status(customer_request: Request) -> str:
    """The status a request resumes work in: in progress when someone has it, else open."""
    return RequestStatus.IN_PROGRESS if customer_request.assignee_id else RequestStatus.OPEN


def resume_from_hold(*, customer_request: Request, at: Any) -> None:
    """The customer wrote again: an on-hold request goes back to work."""
    if customer_request.status != RequestStatus.ON_HOLD:
        return
    status = working_status(customer_request)
    Request.objects.filter(pk=customer_request.pk).update(status=status)
    customer_request.status = status
    add_event(
        customer_request,
        RequestEventKind.STATUS_CHANGED,
        source=EventSource.SLACK,
        at=at,
        from_status=RequestStatus.ON_HOLD,
        to_status=status,
        detail={"reason": "customer replied"},
    )
    sla_services.resume_resolution(customer_request=customer_request, now=at)
    refresh_request_alerts(request_id=customer_request.pk)


def record_customer_followup(*, customer_request: Request, message: Message) -> None:
    """A customer wrote again in an active request: resume it if it waited on them, and
    start a next-response clock if the policy has one."""
    resume_from_hold(customer_request=customer_request, at=message.posted_at)
    sla_services.record_customer_message(
        customer_request=customer_request, message_at=message.posted_at
    )
