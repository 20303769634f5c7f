"""What people do to a request: assign, close, discard, put on hold, reopen, undo.

The Slack buttons, the API actions and the admin call these same functions. Each checks
the actor and the state first (``check``), then changes, in one transaction, the request,
its timeline, its clocks and its alerts (``do``). Concurrent clicks serialise on the
request's row lock, so the second "Close" sees the first and gets a clear error.
"""

import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from alerts.selectors import UNDO_GRACE
from alerts.services import refresh_request_alerts
from requests_app.exceptions import NotInternalUserError, RequestStateError
from requests_app.models import (
    ACTIVE_REQUEST_STATUSES,
    DiscardedMessage,
    EventSource,
    Request,
    RequestEvent,
    RequestEventKind,
    RequestStatus,
)
from requests_app.services.detection import discard_fingerprint
from requests_app.services.lifecycle import add_event, working_status
from sla import services as sla_services
from slack_integration.models import SlackUser

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Actor:
    """Who acts: a Slack user (buttons) and/or a Django user (API, admin), and from where."""

    slack_user: SlackUser | None = None
    user: Any = None
    source: str = EventSource.SLACK

    @property
    def label(self) -> str:
        if self.slack_user is not None:
            return self.slack_user.label
        return getattr(self.user, "username", "") or "system"


def check_actor(actor: Actor) -> None:
    if actor.slack_user is not None and not actor.slack_user.is_internal:
        raise NotInternalUserError("Only members of the support team can act on requests.")


def _lock(customer_request: Request) -> Request:
    """Reloads the request under a row lock; every action holds it until commit."""
    return (
        Request.objects.select_for_update(of=("self",))
        .select_related("channel__workspace", "root_message", "assignee", "customer")
        .get(pk=customer_request.pk)
    )


def _require_active(customer_request: Request, action: str) -> None:
    if customer_request.status not in ACTIVE_REQUEST_STATUSES:
        status = customer_request.get_status_display().lower()
        raise RequestStateError(
            f"Request #{customer_request.pk} is already {status}; it cannot be {action}."
        )


def _event(customer_request: Request, kind: str, actor: Actor, **fields: Any) -> RequestEvent:
    return add_event(
        customer_request,
        kind,
        source=actor.source,
        actor=actor.slack_user,
        actor_user=actor.user,
        **fields,
    )


def _set_status(customer_request: Request, status: str, **fields: Any) -> str:
    previous = customer_request.status
    Request.objects.filter(pk=customer_request.pk).update(status=status, **fields)
    customer_request.status = status
    for name, value in fields.items():
        setattr(customer_request, name, value)
    return previous


@transaction.atomic
def assign_request(*, customer_request: Request, assignee: SlackUser, actor: Actor) -> Request:
    """Assigns the request; an open request becomes in progress."""
    check_actor(actor)
    if not assignee.is_internal:
        raise NotInternalUserError(f"{assignee.label} is not a member of the support team.")
    customer_request = _lock(customer_request)
    _require_active(customer_request, "assigned")
    if customer_request.assignee_id == assignee.pk:
        raise RequestStateError(
            f"Request #{customer_request.pk} is already assigned to {assignee.label}."
        )
    status = (
        RequestStatus.IN_PROGRESS
        if customer_request.status == RequestStatus.OPEN
        else customer_request.status
    )
    previous = _set_status(customer_request, status, assignee=assignee)
    _event(
        customer_request,
        RequestEventKind.ASSIGNED,
        actor,
        from_status=previous,
        to_status=status,
        detail={"assignee": assignee.user_id},
    )
    sla_services.record_assignment(customer_request=customer_request, now=timezone.now())
    refresh_request_alerts(request_id=customer_request.pk)
    return customer_request


@transaction.atomic
def close_request(*, customer_request: Request, actor: Actor) -> Request:
    """Closes the request: the resolution clock is met."""
    check_actor(actor)
    customer_request = _lock(customer_request)
    _require_active(customer_request, "closed")
    now = timezone.now()
    previous = _set_status(
        customer_request, RequestStatus.CLOSED, closed_at=now, closed_by=actor.slack_user
    )
    _event(
        customer_request,
        RequestEventKind.CLOSED,
        actor,
        at=now,
        from_status=previous,
        to_status=RequestStatus.CLOSED,
    )
    sla_services.close_request_clocks(customer_request=customer_request, now=now)
    refresh_request_alerts(request_id=customer_request.pk)
    return customer_request


@transaction.atomic
def discard_request(*, customer_request: Request, actor: Actor) -> Request:
    """Not a request after all: clocks cancelled, and similar messages suppressed from now on."""
    check_actor(actor)
    customer_request = _lock(customer_request)
    _require_active(customer_request, "discarded")
    now = timezone.now()
    previous = _set_status(customer_request, RequestStatus.DISCARDED)
    _event(
        customer_request,
        RequestEventKind.DISCARDED,
        actor,
        at=now,
        from_status=previous,
        to_status=RequestStatus.DISCARDED,
    )
    sla_services.cancel_request_clocks(customer_request=customer_request, now=now)
    text = customer_request.root_message.text
    DiscardedMessage.objects.update_or_create(
        request=customer_request,
        defaults={
            "workspace_id": customer_request.workspace_id,
            "text": text,
            "fingerprint": discard_fingerprint(text),
            "is_active": True,
        },
    )
    refresh_request_alerts(request_id=customer_request.pk)
    return customer_request


@transaction.atomic
def hold_request(*, customer_request: Request, actor: Actor) -> Request:
    """Waiting on the customer: the resolution clock pauses until the customer writes."""
    check_actor(actor)
    customer_request = _lock(customer_request)
    _require_active(customer_request, "put on hold")
    if customer_request.status == RequestStatus.ON_HOLD:
        raise RequestStateError(f"Request #{customer_request.pk} is already on hold.")
    now = timezone.now()
    previous = _set_status(customer_request, RequestStatus.ON_HOLD)
    _event(
        customer_request,
        RequestEventKind.STATUS_CHANGED,
        actor,
        at=now,
        from_status=previous,
        to_status=RequestStatus.ON_HOLD,
    )
    sla_services.pause_resolution(customer_request=customer_request, now=now)
    refresh_request_alerts(request_id=customer_request.pk)
    return customer_request


@transaction.atomic
def reopen_request(*, customer_request: Request, actor: Actor, reason: str = "") -> Request:
    """A closed (or discarded) request is active again, with a new resolution clock."""
    check_actor(actor)
    customer_request = _lock(customer_request)
    if customer_request.status not in (RequestStatus.CLOSED, RequestStatus.DISCARDED):
        raise RequestStateError(f"Request #{customer_request.pk} is not closed; nothing to reopen.")
    now = timezone.now()
    status = working_status(customer_request)
    previous = _set_status(customer_request, status, closed_at=None, closed_by=None)
    _event(
        customer_request,
        RequestEventKind.REOPENED,
        actor,
        at=now,
        from_status=previous,
        to_status=status,
        detail={"reason": reason} if reason else {},
    )
    if previous == RequestStatus.DISCARDED:
        DiscardedMessage.objects.filter(request=customer_request).update(is_active=False)
    sla_services.restart_resolution(customer_request=customer_request, now=now)
    refresh_request_alerts(request_id=customer_request.pk)
    return customer_request


def undo_last_action(*, customer_request: Request, actor: Actor) -> Request:
    """Reverses a close or discard made within the grace period (the "Undo" button)."""
    last = (
        customer_request.events.filter(
            kind__in=[RequestEventKind.CLOSED, RequestEventKind.DISCARDED]
        )
        .order_by("-at")
        .first()
    )
    if last is None or timezone.now() - last.at > UNDO_GRACE:
        raise RequestStateError(
            "There is nothing to undo any more (undo is possible for "
            f"{int(UNDO_GRACE.total_seconds() // 60)} minutes)."
        )
    return reopen_request(customer_request=customer_request, actor=actor, reason="undo")
