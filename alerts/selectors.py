"""Reads for alerts: the view model an alert is rendered from, and rule matching."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from alerts.models import Alert, AlertEvent, AlertRule

EXCERPT_CHARS = 280
STALE_CLAIM_SECONDS = 120


@dataclass(frozen=True)
class AlertView:
    """Everything an alert shows. ``excerpt`` is None for private source channels."""

    alert_id: int
    event: str
    event_label: str
    request_id: int
    request_status: str
    request_status_label: str
    customer: str
    channel_id: str
    channel_name: str
    segment: str
    is_private: bool
    excerpt: str | None
    permalink: str
    detected_at: datetime
    assignee: str | None
    assignee_id: str | None
    ticket_key: str | None
    ticket_url: str | None
    clock_kind: str | None = None
    due_at: datetime | None = None
    breached_at: datetime | None = None
    first_response_at: datetime | None = None
    first_responder: str | None = None
    last_action: str | None = None
    can_undo: bool = False

    @property
    def is_active(self) -> bool:
        return self.request_status in ("open", "in_progress", "on_hold")

    def as_text(self) -> str:
        """A plain rendering (console backend, Slack's notification fallback)."""
        parts = [
            f"[{self.event_label}] request #{self.request_id} from {self.customer} in "
            f"#{self.channel_name} ({self.segment}), status {self.request_status_label}"
        ]
        if self.assignee:
            parts.append(f"assigned to {self.assignee}")
        if self.excerpt:
            parts.append(f'"{self.excerpt}"')
        parts.append(self.permalink)
        return " | ".join(parts)


def excerpt_of(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 1] + "…"


def get_alert_view(alert: Alert) -> AlertView:
    """Builds the view of ``alert`` from its request as it is now."""
    customer_request = alert.request
    channel = customer_request.channel
    root = customer_request.root_message
    ticket = customer_request.tickets.order_by("-created_at").first()
    clock = alert.clock
    last_action, can_undo = _last_action(customer_request)
    return AlertView(
        alert_id=alert.pk,
        event=alert.event,
        event_label=AlertEvent(alert.event).label,
        request_id=customer_request.pk,
        request_status=customer_request.status,
        request_status_label=customer_request.get_status_display(),
        customer=customer_request.customer.label,
        channel_id=channel.channel_id,
        channel_name=channel.name or channel.channel_id,
        segment=channel.segment,
        is_private=channel.is_private,
        excerpt=None if channel.is_private else excerpt_of(root.text),
        permalink=root.permalink,
        detected_at=customer_request.detected_at,
        assignee=customer_request.assignee.label if customer_request.assignee else None,
        assignee_id=customer_request.assignee.user_id if customer_request.assignee else None,
        ticket_key=ticket.external_key if ticket else None,
        ticket_url=ticket.url if ticket else None,
        clock_kind=clock.kind if clock else None,
        due_at=clock.due_at if clock else None,
        breached_at=clock.breached_at if clock else None,
        first_response_at=customer_request.first_response_at,
        first_responder=(
            customer_request.first_responder.label if customer_request.first_responder else None
        ),
        last_action=last_action,
        can_undo=can_undo,
    )


ACTION_KINDS = {
    "assigned": "Assigned to {assignee} by {actor}",
    "closed": "Closed by {actor}",
    "discarded": "Discarded by {actor}",
    "reopened": "Reopened by {actor}",
    "status_changed": "{status} ({actor})",
    "ticket_created": "Ticket created by {actor}",
    "cancelled": "Cancelled: the customer deleted the message",
}
UNDO_GRACE = timedelta(minutes=10)


def _last_action(customer_request: Any) -> tuple[str | None, bool]:
    """A line saying who did the last thing to the request, and whether it can be undone."""
    event = (
        customer_request.events.filter(kind__in=list(ACTION_KINDS))
        .select_related("actor", "actor_user")
        .order_by("-at", "-pk")
        .first()
    )
    if event is None:
        return None, False
    actor = (
        event.actor.label if event.actor else getattr(event.actor_user, "username", None) or "Thena"
    )
    assignee = customer_request.assignee.label if customer_request.assignee else "nobody"
    text = ACTION_KINDS[event.kind].format(
        actor=actor, assignee=assignee, status=customer_request.get_status_display()
    )
    can_undo = event.kind in ("closed", "discarded") and timezone.now() - event.at <= UNDO_GRACE
    return text, can_undo


class RuleMatcher:
    """Matches alert rules, remembering each answer: one evaluation tick asks the same
    question for every clock of a channel, so it asks the database once per channel."""

    def __init__(self) -> None:
        self._answers: dict[tuple[int, str, int, str], list[AlertRule]] = {}

    def matching(
        self, *, workspace_id: int, event: str, channel_id: int, segment: str
    ) -> list[AlertRule]:
        key = (workspace_id, event, channel_id, segment)
        if key not in self._answers:
            self._answers[key] = list(
                list_matching_rules(
                    workspace_id=workspace_id, event=event, channel_id=channel_id, segment=segment
                )
            )
        return self._answers[key]


def list_matching_rules(
    *, workspace_id: int, event: str, channel_id: int, segment: str
) -> QuerySet[AlertRule]:
    """Enabled rules for ``event`` whose scope covers the channel: global, segment, channel."""
    return (
        AlertRule.objects.filter(workspace_id=workspace_id, event=event, is_enabled=True)
        .filter(
            Q(scope="global")
            | Q(scope="segment", segment=segment)
            | Q(scope="channel", channel_id=channel_id)
        )
        .order_by("pk")
    )


def list_alert_ids_due_for_delivery(*, now: datetime, limit: int = 200) -> list[int]:
    """Alerts not delivered whose next attempt is due (the retry sweep).

    A fresh pending alert is left to the task its creation enqueued; a ``sending`` claim older
    than the stale limit means its worker died mid-send.
    """
    stale = now - timedelta(seconds=STALE_CLAIM_SECONDS)
    due = (
        Q(status="failed", next_attempt_at__lte=now)
        | Q(status="pending", next_attempt_at__isnull=True, created_at__lte=stale)
        | Q(status="pending", next_attempt_at__lte=now)
        | Q(status="sending", claimed_at__lte=stale)
    )
    return list(
        Alert.objects.filter(due).order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    )
