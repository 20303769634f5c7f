"""Reads for requests: tenancy-checked lookups, `/my summary`, App Home team counts.

The summary is ordered in SQL (most urgent first) so a page costs the same whatever the
number of assigned requests: one aggregate for the header, one query for the page, and one
prefetch each for the page's clocks and tickets.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from requests_app.exceptions import RequestNotFoundError
from requests_app.models import ACTIVE_REQUEST_STATUSES, Request
from sla.models import ClockState, SLAClock
from slack_integration.models import SlackUser, Workspace
from tickets.models import Ticket

# Clocks that make a request urgent; a paused clock (waiting on the customer) does not.
URGENT_CLOCK_STATES = (ClockState.RUNNING, ClockState.BREACHED)
SUMMARY_CLOCK_STATES = (*URGENT_CLOCK_STATES, ClockState.PAUSED)
# What acting on a request reads (its channel, people and root message for permalinks).
ACTION_RELATIONS = (
    "workspace",
    "channel",
    "customer",
    "assignee",
    "root_message__workspace",
    "root_message__channel",
)


def get_request_for_workspace(*, workspace: Workspace, request_id: int) -> Request:
    """The request ``request_id`` of ``workspace``; another workspace's is not found."""
    customer_request = (
        Request.objects.filter(workspace=workspace, pk=request_id)
        .select_related(*ACTION_RELATIONS)
        .first()
    )
    if customer_request is None:
        raise RequestNotFoundError(f"Request #{request_id} was not found.")
    return customer_request


@dataclass(frozen=True)
class SLAState:
    """The most urgent clock of a request, as the summary shows it.

    ``state`` is ``breached`` (also for a running clock already past due that the evaluator
    has not reached yet), ``running`` or ``paused``. ``seconds_left`` is negative when late.
    """

    kind: str
    kind_label: str
    state: str
    due_at: datetime
    seconds_left: float | None

    @property
    def is_breached(self) -> bool:
        return self.state == ClockState.BREACHED


@dataclass(frozen=True)
class SummaryItem:
    """One request in `/my summary` and the App Home tab. Carries no message text."""

    request_id: int
    status: str
    status_label: str
    customer: str
    channel_id: str
    channel_name: str
    is_private: bool
    posted_at: datetime
    age_seconds: float
    sla: SLAState | None
    ticket_key: str | None
    ticket_url: str | None
    permalink: str


@dataclass(frozen=True)
class MySummary:
    """A page of the caller's active requests and the totals for the header."""

    items: list[SummaryItem]
    total: int
    breached: int
    page: int
    page_size: int

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.page_count

    @property
    def first_position(self) -> int:
        return (self.page - 1) * self.page_size + 1


@dataclass(frozen=True)
class TeamCounts:
    """The workspace's active requests: all, with a breached clock, and unassigned."""

    open: int
    breached: int
    unassigned: int


def _late_clock_exists(now: datetime) -> Exists:
    """A breached clock, or a running one already past due that the evaluator has not
    reached yet: both count as breached for the people reading the summary."""
    return Exists(
        SLAClock.objects.filter(request=OuterRef("pk")).filter(
            Q(state=ClockState.BREACHED) | Q(state=ClockState.RUNNING, due_at__lt=now)
        )
    )


def _assigned_active(assignee: SlackUser) -> QuerySet[Request]:
    return Request.objects.filter(assignee=assignee, status__in=ACTIVE_REQUEST_STATUSES)


def _ordered_by_urgency(queryset: QuerySet[Request]) -> QuerySet[Request]:
    """Most urgent first: the earliest deadline of a running or breached clock.

    A breached clock's deadline is in the past, so "breached longest" comes first, then the
    running clocks by time left; requests without such a clock follow, oldest first.
    """
    urgent_due = (
        SLAClock.objects.filter(request=OuterRef("pk"), state__in=URGENT_CLOCK_STATES)
        .order_by("due_at")
        .values("due_at")
    )
    return queryset.annotate(urgent_due_at=Subquery(urgent_due[:1])).order_by(
        F("urgent_due_at").asc(nulls_last=True), "root_message__posted_at", "pk"
    )


def _sla_state(clocks: list[SLAClock], now: datetime) -> SLAState | None:
    urgent = [clock for clock in clocks if clock.state in URGENT_CLOCK_STATES]
    clock = min(urgent, key=lambda item: item.due_at) if urgent else (clocks[0] if clocks else None)
    if clock is None:
        return None
    seconds_left = (
        None if clock.state == ClockState.PAUSED else (clock.due_at - now).total_seconds()
    )
    state = clock.state
    if state == ClockState.RUNNING and seconds_left is not None and seconds_left < 0:
        state = ClockState.BREACHED
    return SLAState(
        kind=clock.kind,
        kind_label=clock.get_kind_display(),
        state=state,
        due_at=clock.due_at,
        seconds_left=seconds_left,
    )


def _summary_item(customer_request: Request, now: datetime) -> SummaryItem:
    root = customer_request.root_message
    channel = customer_request.channel
    tickets: list[Ticket] = customer_request.summary_tickets  # type: ignore[attr-defined]
    ticket = tickets[0] if tickets else None
    return SummaryItem(
        request_id=customer_request.pk,
        status=customer_request.status,
        status_label=customer_request.get_status_display(),
        customer=customer_request.customer.label,
        channel_id=channel.channel_id,
        channel_name=channel.name or channel.channel_id,
        is_private=channel.is_private,
        posted_at=root.posted_at,
        age_seconds=(now - root.posted_at).total_seconds(),
        sla=_sla_state(customer_request.summary_clocks, now),  # type: ignore[attr-defined]
        ticket_key=ticket.external_key if ticket else None,
        ticket_url=(ticket.url or None) if ticket else None,
        permalink=root.permalink,
    )


def list_my_requests(
    *, assignee: SlackUser, offset: int = 0, limit: int | None = None, now: datetime | None = None
) -> list[SummaryItem]:
    """The active requests assigned to ``assignee``, most urgent first (3 queries a page)."""
    now = now or timezone.now()
    queryset = (
        _ordered_by_urgency(_assigned_active(assignee))
        .select_related("customer", "channel", "root_message__workspace", "root_message__channel")
        .prefetch_related(
            Prefetch(
                "sla_clocks",
                to_attr="summary_clocks",
                queryset=SLAClock.objects.filter(state__in=SUMMARY_CLOCK_STATES).order_by("due_at"),
            ),
            Prefetch(
                "tickets",
                to_attr="summary_tickets",
                queryset=Ticket.objects.order_by("-created_at", "-pk"),
            ),
        )
    )
    page = queryset[offset : offset + limit] if limit is not None else queryset[offset:]
    return [_summary_item(customer_request, now) for customer_request in page]


def get_my_summary(
    *, assignee: SlackUser, page: int = 1, page_size: int = 20, now: datetime | None = None
) -> MySummary:
    """One page of the caller's summary with its totals (4 queries whatever the count)."""
    now = now or timezone.now()
    totals = _assigned_active(assignee).aggregate(
        total=Count("pk"),
        breached=Count("pk", filter=Q(_late_clock_exists(now))),
    )
    total = totals["total"] or 0
    page_count = max(1, -(-total // page_size))
    page = min(max(page, 1), page_count)
    items = (
        list_my_requests(assignee=assignee, offset=(page - 1) * page_size, limit=page_size, now=now)
        if total
        else []
    )
    return MySummary(
        items=items, total=total, breached=totals["breached"] or 0, page=page, page_size=page_size
    )


def get_team_counts(*, workspace: Workspace, now: datetime | None = None) -> TeamCounts:
    """The workspace's active requests: total, breached, unassigned (one query)."""
    now = now or timezone.now()
    counts = Request.objects.filter(
        workspace=workspace, status__in=ACTIVE_REQUEST_STATUSES
    ).aggregate(
        open=Count("pk"),
        breached=Count("pk", filter=Q(_late_clock_exists(now))),
        unassigned=Count("pk", filter=Q(assignee__isnull=True)),
    )
    return TeamCounts(
        open=counts["open"] or 0,
        breached=counts["breached"] or 0,
        unassigned=counts["unassigned"] or 0,
    )


def get_request_of_customer_message(*, channel_id: int, ts: str) -> Request | None:
    """The request a customer message belongs to: the one it opened, or the one it joined."""
    requests = Request.objects.select_related(*ACTION_RELATIONS)
    return (
        requests.filter(
            root_message__channel_id=channel_id,
            root_message__ts=ts,
            root_message__is_from_customer=True,
        ).first()
        or requests.filter(
            messages__channel_id=channel_id,
            messages__ts=ts,
            messages__is_from_customer=True,
        ).first()
    )
