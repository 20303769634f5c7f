"""SLA clocks: start them from the applicable policy, stop them, pause them, breach them.

A clock keeps a snapshot of the policy and calendar it was computed from, so editing a
policy never rewrites history. Due and warning times are computed once, at start (and again
on resume after a pause), in the calendar's working minutes.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction

from alerts.selectors import RuleMatcher
from alerts.services import raise_alerts
from sla.business_hours import (
    Calendar,
    add_working_minutes,
    calendar_from_config,
    working_minutes_between,
)
from sla.models import (
    ClockEventKind,
    ClockKind,
    ClockState,
    SLAClock,
    SLAClockEvent,
    SLAPolicy,
)
from sla.selectors import get_applicable_policy

logger = logging.getLogger(__name__)

LIVE_STATES = (ClockState.RUNNING, ClockState.PAUSED)
BREACH_EVENTS = {
    ClockKind.FIRST_RESPONSE: "first_response_breached",
    ClockKind.NEXT_RESPONSE: "next_response_breached",
    ClockKind.RESOLUTION: "resolution_breached",
}
WARNING_EVENTS = {
    ClockKind.FIRST_RESPONSE: "first_response_warning",
    ClockKind.RESOLUTION: "resolution_warning",
}


def policy_snapshot(policy: SLAPolicy) -> dict[str, Any]:
    """The policy (and its calendar) as plain data, stored on each clock it starts."""
    calendar = policy.calendar
    return {
        "policy_id": policy.pk,
        "name": policy.name,
        "scope": policy.scope,
        "first_response_minutes": policy.first_response_minutes,
        "next_response_minutes": policy.next_response_minutes,
        "resolution_minutes": policy.resolution_minutes,
        "warning_percent": policy.warning_percent,
        "escalation_minutes": policy.escalation_minutes,
        "escalation_destination": policy.escalation_destination,
        "response_scope": policy.response_scope,
        "assignment_counts_as_response": policy.assignment_counts_as_response,
        "calendar": None
        if calendar is None
        else {
            "name": calendar.name,
            "timezone": calendar.timezone,
            "weekly_hours": calendar.weekly_hours,
            "holidays": calendar.holidays,
            "country": calendar.country,
            "subdivision": calendar.subdivision,
        },
    }


def snapshot_calendar(snapshot: dict[str, Any]) -> Calendar | None:
    """The business-hours calendar of a clock's snapshot (None: 24/7)."""
    spec = snapshot.get("calendar")
    if not spec:
        return None
    return calendar_from_config(
        timezone=spec["timezone"],
        weekly_hours=spec["weekly_hours"],
        holidays=spec.get("holidays", []),
        country=spec.get("country") or None,
        subdivision=spec.get("subdivision") or None,
    )


def _log(clock: SLAClock, kind: str, at: datetime, **detail: Any) -> None:
    SLAClockEvent.objects.create(clock=clock, kind=kind, at=at, detail=detail)


def _start_clock(
    *,
    customer_request: Any,
    kind: str,
    minutes: int,
    started_at: datetime,
    snapshot: dict[str, Any],
    policy: SLAPolicy,
    now: datetime,
) -> SLAClock | None:
    calendar = snapshot_calendar(snapshot)
    due_at = add_working_minutes(started_at, minutes, calendar)
    percent = snapshot.get("warning_percent")
    warn_at = (
        add_working_minutes(started_at, minutes * percent / 100, calendar)
        if percent and kind in WARNING_EVENTS
        else None
    )
    try:
        with transaction.atomic():
            clock = SLAClock.objects.create(
                request=customer_request,
                kind=kind,
                policy=policy,
                policy_snapshot=snapshot,
                started_at=started_at,
                target_minutes=minutes,
                due_at=due_at,
                warn_at=warn_at,
            )
    except IntegrityError:
        return None  # a live clock of this kind already runs: starting again is a no-op
    _log(
        clock,
        ClockEventKind.STARTED,
        started_at,
        due_at=due_at.isoformat(),
        policy=snapshot["name"],
    )
    if due_at <= now:
        # Late delivery or backfill: the deadline has passed already, so breach now.
        breach_clock(clock=clock, now=now)
    return clock


@transaction.atomic
def start_request_clocks(
    *, customer_request: Any, started_at: datetime, now: datetime
) -> list[SLAClock]:
    """Starts the first-response and resolution clocks the applicable policy defines."""
    policy = get_applicable_policy(channel=customer_request.channel)
    if policy is None:
        return []
    snapshot = policy_snapshot(policy)
    clocks = [
        _start_clock(
            customer_request=customer_request,
            kind=ClockKind.FIRST_RESPONSE,
            minutes=policy.first_response_minutes,
            started_at=started_at,
            snapshot=snapshot,
            policy=policy,
            now=now,
        )
    ]
    if policy.resolution_minutes:
        clocks.append(
            _start_clock(
                customer_request=customer_request,
                kind=ClockKind.RESOLUTION,
                minutes=policy.resolution_minutes,
                started_at=now,
                snapshot=snapshot,
                policy=policy,
                now=now,
            )
        )
    return [clock for clock in clocks if clock is not None]


def _stop(clocks: Any, *, state: str, at: datetime, event: str, **detail: Any) -> int:
    stopped = 0
    for clock in clocks.select_for_update():
        SLAClock.objects.filter(pk=clock.pk).update(state=state, stopped_at=at)
        _log(clock, event, at, **detail)
        stopped += 1
    return stopped


@transaction.atomic
def cancel_request_clocks(*, customer_request: Any, now: datetime) -> int:
    """Discarded or deleted: every live clock of the request is cancelled."""
    live = SLAClock.objects.filter(request=customer_request, state__in=LIVE_STATES)
    return _stop(live, state=ClockState.CANCELLED, at=now, event=ClockEventKind.CANCELLED)


@transaction.atomic
def record_response(
    *, customer_request: Any, responded_at: datetime, responder_id: int | None
) -> bool:
    """A vendor response meets the running response clocks; True if one was breached already.

    A breached first-response clock stays breached, but its log records when the answer came
    so the breach alert can say it was answered.
    """
    running = SLAClock.objects.filter(
        request=customer_request,
        kind__in=[ClockKind.FIRST_RESPONSE, ClockKind.NEXT_RESPONSE],
        state__in=LIVE_STATES,
        started_at__lte=responded_at,
    )
    _stop(
        running,
        state=ClockState.MET,
        at=responded_at,
        event=ClockEventKind.MET,
        responder_id=responder_id,
    )
    breached = list(
        SLAClock.objects.filter(
            request=customer_request,
            kind__in=[ClockKind.FIRST_RESPONSE, ClockKind.NEXT_RESPONSE],
            state=ClockState.BREACHED,
            started_at__lte=responded_at,
        ).exclude(events__kind=ClockEventKind.MET)
    )
    for clock in breached:
        _log(clock, ClockEventKind.MET, responded_at, responder_id=responder_id, after_breach=True)
    return bool(breached)


@transaction.atomic
def record_customer_message(*, customer_request: Any, message_at: datetime) -> SLAClock | None:
    """A customer follow-up after a vendor reply starts a next-response clock (if enabled)."""
    if customer_request.first_response_at is None:
        return None
    first = (
        SLAClock.objects.filter(request=customer_request, kind=ClockKind.FIRST_RESPONSE)
        .order_by("-pk")
        .first()
    )
    if first is None or not first.policy_snapshot.get("next_response_minutes"):
        return None
    snapshot = first.policy_snapshot
    return _start_clock(
        customer_request=customer_request,
        kind=ClockKind.NEXT_RESPONSE,
        minutes=snapshot["next_response_minutes"],
        started_at=message_at,
        snapshot=snapshot,
        policy=first.policy,
        now=max(message_at, first.started_at),
    )


def breach_clock(*, clock: SLAClock, now: datetime, rules: RuleMatcher | None = None) -> bool:
    """Marks a running clock breached and raises its alerts; False if it was not running.

    ``rules`` lets an evaluation tick match alert rules once per channel, not per clock.
    """
    changes = {
        "state": ClockState.BREACHED,
        "breached_at": now,
        "stopped_at": now,
        "escalate_at": _escalate_at(clock, now),
    }
    updated = SLAClock.objects.filter(pk=clock.pk, state=ClockState.RUNNING).update(**changes)
    if not updated:
        return False
    # The conditional update succeeded, so these are the row's values; setting them keeps
    # the request and channel the caller loaded with the clock.
    for name, value in changes.items():
        setattr(clock, name, value)
    _log(
        clock, ClockEventKind.BREACHED, now, late_seconds=int((now - clock.due_at).total_seconds())
    )
    raise_alerts(
        customer_request=clock.request, event=BREACH_EVENTS[clock.kind], clock=clock, rules=rules
    )
    return True


def _escalate_at(clock: SLAClock, now: datetime) -> datetime | None:
    minutes = clock.policy_snapshot.get("escalation_minutes")
    return now + timedelta(minutes=minutes) if minutes else None


def warn_clock(*, clock: SLAClock, now: datetime, rules: RuleMatcher | None = None) -> bool:
    """Records a warning for a running clock and raises its alerts (once)."""
    updated = SLAClock.objects.filter(
        pk=clock.pk, state=ClockState.RUNNING, warned_at__isnull=True
    ).update(warned_at=now)
    if not updated or clock.kind not in WARNING_EVENTS:
        return bool(updated)
    _log(clock, ClockEventKind.WARNED, now)
    raise_alerts(
        customer_request=clock.request, event=WARNING_EVENTS[clock.kind], clock=clock, rules=rules
    )
    return True


@transaction.atomic
def record_assignment(*, customer_request: Any, now: datetime) -> None:
    """With "assignment counts as response", assigning meets the first-response clock."""
    clocks = SLAClock.objects.filter(
        request=customer_request, kind=ClockKind.FIRST_RESPONSE, state__in=LIVE_STATES
    )
    clocks = [
        clock for clock in clocks if clock.policy_snapshot.get("assignment_counts_as_response")
    ]
    for clock in clocks:
        SLAClock.objects.filter(pk=clock.pk).update(state=ClockState.MET, stopped_at=now)
        _log(clock, ClockEventKind.MET, now, reason="assigned")


@transaction.atomic
def close_request_clocks(*, customer_request: Any, now: datetime) -> int:
    """Closed: the resolution clock is met; a pending response clock is met by the close."""
    live = SLAClock.objects.filter(request=customer_request, state__in=LIVE_STATES)
    return _stop(live, state=ClockState.MET, at=now, event=ClockEventKind.MET, reason="closed")


@transaction.atomic
def pause_resolution(*, customer_request: Any, now: datetime) -> None:
    """On hold: the running resolution clock stops counting; what was left is logged."""
    for clock in SLAClock.objects.select_for_update().filter(
        request=customer_request, kind=ClockKind.RESOLUTION, state=ClockState.RUNNING
    ):
        calendar = snapshot_calendar(clock.policy_snapshot)
        remaining = working_minutes_between(now, clock.due_at, calendar)
        to_warning = (
            working_minutes_between(now, clock.warn_at, calendar)
            if clock.warn_at and not clock.warned_at
            else None
        )
        SLAClock.objects.filter(pk=clock.pk).update(state=ClockState.PAUSED, paused_at=now)
        _log(
            clock,
            ClockEventKind.PAUSED,
            now,
            remaining_minutes=remaining,
            minutes_to_warning=to_warning,
        )


@transaction.atomic
def resume_resolution(*, customer_request: Any, now: datetime) -> None:
    """Back from hold: the clock runs again with the working time it had left."""
    for clock in SLAClock.objects.select_for_update().filter(
        request=customer_request, kind=ClockKind.RESOLUTION, state=ClockState.PAUSED
    ):
        # The latest pause (or a recompute during the pause) says how much time was left.
        paused = (
            clock.events.filter(kind__in=[ClockEventKind.PAUSED, ClockEventKind.RECOMPUTED])
            .order_by("-at", "-pk")
            .first()
        )
        detail = paused.detail if paused else {}
        calendar = snapshot_calendar(clock.policy_snapshot)
        due_at = add_working_minutes(now, detail.get("remaining_minutes", 0), calendar)
        warn_minutes = detail.get("minutes_to_warning")
        warn_at = (
            add_working_minutes(now, warn_minutes, calendar)
            if warn_minutes is not None
            else clock.warn_at
        )
        SLAClock.objects.filter(pk=clock.pk).update(
            state=ClockState.RUNNING,
            paused_at=None,
            due_at=max(due_at, clock.started_at),
            warn_at=warn_at,
        )
        _log(clock, ClockEventKind.RESUMED, now, due_at=due_at.isoformat())


@transaction.atomic
def restart_resolution(*, customer_request: Any, now: datetime) -> SLAClock | None:
    """Reopened: a new resolution clock from the latest policy (the old one stays as it was)."""
    policy = get_applicable_policy(channel=customer_request.channel)
    if policy is None or not policy.resolution_minutes:
        return None
    return _start_clock(
        customer_request=customer_request,
        kind=ClockKind.RESOLUTION,
        minutes=policy.resolution_minutes,
        started_at=now,
        snapshot=policy_snapshot(policy),
        policy=policy,
        now=now,
    )


_TARGET_FIELDS = {
    ClockKind.FIRST_RESPONSE: "first_response_minutes",
    ClockKind.NEXT_RESPONSE: "next_response_minutes",
    ClockKind.RESOLUTION: "resolution_minutes",
}


def _paused_intervals(clock: SLAClock, now: datetime) -> list[tuple[datetime, datetime]]:
    """The clock's pauses, from its event log (an open pause runs until ``now``)."""
    intervals, paused_at = [], None
    for event in clock.events.filter(kind__in=[ClockEventKind.PAUSED, ClockEventKind.RESUMED]):
        if event.kind == ClockEventKind.PAUSED:
            paused_at = event.at
        elif paused_at is not None:
            intervals.append((paused_at, event.at))
            paused_at = None
    if paused_at is not None:
        intervals.append((paused_at, now))
    return intervals


@transaction.atomic
def recompute_policy_clocks(*, policy: SLAPolicy, now: datetime) -> int:
    """Applies an edited policy to the clocks still running on it (an explicit option).

    By default a clock keeps the policy it started with. This recomputes each live clock's
    deadline from its start with the new targets and calendar, keeping its pauses (derived
    from its event log); a target the policy no longer has cancels that clock.
    """
    snapshot = policy_snapshot(policy)
    calendar = snapshot_calendar(snapshot)
    changed = 0
    for clock in SLAClock.objects.select_for_update().filter(policy=policy, state__in=LIVE_STATES):
        minutes = snapshot.get(_TARGET_FIELDS[clock.kind])
        if not minutes:
            SLAClock.objects.filter(pk=clock.pk).update(state=ClockState.CANCELLED, stopped_at=now)
            _log(clock, ClockEventKind.CANCELLED, now, reason="policy no longer has this target")
            changed += 1
            continue
        paused = sum(
            working_minutes_between(start, end, calendar)
            for start, end in _paused_intervals(clock, now)
        )
        due_at = add_working_minutes(clock.started_at, minutes + paused, calendar)
        percent = snapshot.get("warning_percent")
        warn_at = (
            add_working_minutes(clock.started_at, minutes * percent / 100 + paused, calendar)
            if percent and clock.kind in WARNING_EVENTS
            else None
        )
        fields: dict[str, Any] = {
            "policy_snapshot": snapshot,
            "target_minutes": minutes,
            "due_at": due_at,
            "warn_at": warn_at,
        }
        detail: dict[str, Any] = {"due_at": due_at.isoformat(), "policy": snapshot["name"]}
        if clock.state == ClockState.PAUSED:
            worked = working_minutes_between(clock.started_at, clock.paused_at, calendar) - sum(
                working_minutes_between(start, end, calendar)
                for start, end in _paused_intervals(clock, clock.paused_at)
            )
            detail["remaining_minutes"] = max(minutes - worked, 0)
        SLAClock.objects.filter(pk=clock.pk).update(**fields)
        _log(clock, ClockEventKind.RECOMPUTED, now, **detail)
        changed += 1
    return changed
