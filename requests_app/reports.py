"""The SLA report: attainment, response and close times per channel, segment, assignee or day.

The maths are pure functions over plain rows (:class:`ReportRow`), so they can be checked
against hand-computed values; :func:`load_report_rows` is the one read from the database.

Definitions (per group):

- ``requests``: requests detected in the period, discarded and cancelled ones left out
  (they were not requests, or their message is gone).
- ``first_response_attainment_percent``: first-response clocks that ended ``met``, as a
  share of those that ended ``met`` or ``breached`` (running, paused and cancelled clocks
  have no outcome yet). A clock answered after its breach stays breached.
- ``first_response_median_minutes`` / ``..._p90_minutes``: minutes from the customer's root
  message to the request's ``first_response_at``, over the requests that were answered.
- ``resolution_attainment_percent``: the same share for resolution clocks (a reopened
  request has one clock per period it was open).
- ``time_to_close_median_minutes``: minutes from the root message to ``closed_at``, over
  closed requests.
- ``breaches``: breached clocks of every kind.

Percentiles interpolate linearly between the closest ranks (numpy's default, Excel's
PERCENTILE.INC): for sorted values v[0..n-1] the p-th percentile is at rank (n-1)·p/100.
Figures are rounded to two decimals; a figure with nothing to measure is ``None``.

Periods and the ``day`` grouping use the workspace's time zone: ``from``..``to`` covers
local midnight of ``from`` up to local midnight after ``to``, by ``detected_at``.
"""

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from requests_app.models import Request, RequestStatus
from sla.models import ClockKind, ClockState, SLAClock
from slack_integration.models import Segment, Workspace

GROUP_BY_CHOICES = [
    ("channel", "Channel"),
    ("segment", "Segment"),
    ("assignee", "Assignee"),
    ("day", "Day (workspace time zone)"),
]
EXCLUDED_STATUSES = (RequestStatus.DISCARDED, RequestStatus.CANCELLED)
_ENDED_STATES = (ClockState.MET, ClockState.BREACHED)
_SEGMENT_LABELS = dict(Segment.choices)


@dataclass(frozen=True)
class ClockRow:
    kind: str
    state: str


@dataclass(frozen=True)
class ReportRow:
    """One request as the report sees it: times, grouping keys and its clocks' outcomes."""

    request_id: int
    detected_at: datetime
    asked_at: datetime
    first_response_at: datetime | None
    closed_at: datetime | None
    channel_key: str
    channel_label: str
    segment: str
    assignee_key: str
    assignee_label: str
    clocks: tuple[ClockRow, ...] = ()


@dataclass(frozen=True)
class GroupFigures:
    key: str
    label: str
    requests: int
    first_response_attainment_percent: float | None
    first_response_median_minutes: float | None
    first_response_p90_minutes: float | None
    resolution_attainment_percent: float | None
    time_to_close_median_minutes: float | None
    breaches: int


@dataclass(frozen=True)
class SLAReport:
    workspace: int
    timezone: str
    date_from: date
    date_to: date
    group_by: str
    groups: list[GroupFigures] = field(default_factory=list)
    totals: GroupFigures | None = None


def percentile(values: Sequence[float], percent: float) -> float | None:
    """The ``percent``-th percentile, interpolating linearly; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * percent / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def attainment_percent(states: Iterable[str]) -> float | None:
    """Met clocks as a percentage of met-or-breached ones; None when none has ended."""
    ended = [state for state in states if state in _ENDED_STATES]
    if not ended:
        return None
    return 100 * sum(state == ClockState.MET for state in ended) / len(ended)


def minutes_between(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 60


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def group_key(row: ReportRow, group_by: str, zone: ZoneInfo) -> tuple[str, str]:
    """The (key, label) of the group ``row`` falls in."""
    if group_by == "channel":
        return row.channel_key, row.channel_label
    if group_by == "segment":
        return row.segment, _SEGMENT_LABELS.get(row.segment, row.segment)
    if group_by == "assignee":
        return row.assignee_key, row.assignee_label
    if group_by == "day":
        day = row.detected_at.astimezone(zone).date().isoformat()
        return day, day
    raise ValueError(f"unknown grouping {group_by!r}")


def figures_for(key: str, label: str, rows: Sequence[ReportRow]) -> GroupFigures:
    """The report's figures over ``rows`` (see the module docstring)."""
    clocks = [clock for row in rows for clock in row.clocks]
    response_minutes = [
        minutes_between(row.asked_at, row.first_response_at)
        for row in rows
        if row.first_response_at is not None
    ]
    close_minutes = [
        minutes_between(row.asked_at, row.closed_at) for row in rows if row.closed_at is not None
    ]
    return GroupFigures(
        key=key,
        label=label,
        requests=len(rows),
        first_response_attainment_percent=_rounded(
            attainment_percent(c.state for c in clocks if c.kind == ClockKind.FIRST_RESPONSE)
        ),
        first_response_median_minutes=_rounded(percentile(response_minutes, 50)),
        first_response_p90_minutes=_rounded(percentile(response_minutes, 90)),
        resolution_attainment_percent=_rounded(
            attainment_percent(c.state for c in clocks if c.kind == ClockKind.RESOLUTION)
        ),
        time_to_close_median_minutes=_rounded(percentile(close_minutes, 50)),
        breaches=sum(clock.state == ClockState.BREACHED for clock in clocks),
    )


def summarise(
    rows: Iterable[ReportRow], *, group_by: str, zone: ZoneInfo
) -> tuple[list[GroupFigures], GroupFigures]:
    """Figures per group (ordered by key) and over all rows."""
    rows = list(rows)
    grouped: dict[tuple[str, str], list[ReportRow]] = defaultdict(list)
    for row in rows:
        grouped[group_key(row, group_by, zone)].append(row)
    groups = [figures_for(key, label, grouped[key, label]) for key, label in sorted(grouped)]
    return groups, figures_for("total", "Total", rows)


def period_bounds(date_from: date, date_to: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Local midnight of ``date_from`` and local midnight after ``date_to``, as aware times."""
    start = datetime.combine(date_from, time(), tzinfo=zone)
    end = datetime.combine(date_to + timedelta(days=1), time(), tzinfo=zone)
    return start, end


def workspace_zone(workspace: Workspace) -> ZoneInfo:
    """The workspace's time zone; UTC if the stored name is unknown."""
    try:
        return ZoneInfo(workspace.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def load_report_rows(*, workspace: Workspace, start: datetime, end: datetime) -> list[ReportRow]:
    """The workspace's requests detected in ``[start, end)`` as report rows (two queries)."""
    requests = list(
        Request.objects.filter(workspace=workspace, detected_at__gte=start, detected_at__lt=end)
        .exclude(status__in=EXCLUDED_STATUSES)
        .values(
            "pk",
            "detected_at",
            "root_message__posted_at",
            "first_response_at",
            "closed_at",
            "channel__channel_id",
            "channel__name",
            "channel__segment",
            "assignee__user_id",
            "assignee__display_name",
            "assignee__real_name",
            "assignee__name",
        )
        .order_by("detected_at", "pk")
    )
    clocks: dict[int, list[ClockRow]] = defaultdict(list)
    for request_id, kind, state in SLAClock.objects.filter(
        request_id__in=[item["pk"] for item in requests]
    ).values_list("request_id", "kind", "state"):
        clocks[request_id].append(ClockRow(kind=kind, state=state))
    return [_row(item, tuple(clocks[item["pk"]])) for item in requests]


def _row(item: dict, clocks: tuple[ClockRow, ...]) -> ReportRow:
    assignee_id = item["assignee__user_id"] or ""
    assignee_label = (
        item["assignee__display_name"]
        or item["assignee__real_name"]
        or item["assignee__name"]
        or assignee_id
    )
    channel_id = item["channel__channel_id"]
    return ReportRow(
        request_id=item["pk"],
        detected_at=item["detected_at"],
        asked_at=item["root_message__posted_at"],
        first_response_at=item["first_response_at"],
        closed_at=item["closed_at"],
        channel_key=channel_id,
        channel_label=f"#{item['channel__name'] or channel_id}",
        segment=item["channel__segment"],
        assignee_key=assignee_id,
        assignee_label=assignee_label if assignee_id else "Unassigned",
        clocks=clocks,
    )


def build_sla_report(
    *, workspace: Workspace, date_from: date, date_to: date, group_by: str
) -> SLAReport:
    """The SLA report of ``workspace`` for local days ``date_from``..``date_to``."""
    zone = workspace_zone(workspace)
    start, end = period_bounds(date_from, date_to, zone)
    rows = load_report_rows(workspace=workspace, start=start, end=end)
    groups, totals = summarise(rows, group_by=group_by, zone=zone)
    return SLAReport(
        workspace=workspace.pk,
        timezone=zone.key,
        date_from=date_from,
        date_to=date_to,
        group_by=group_by,
        groups=groups,
        totals=totals,
    )
