"""One evaluation tick: breach due clocks, warn warn-due clocks, escalate open breaches.

Rows are claimed in short transactions with ``SELECT … FOR UPDATE SKIP LOCKED`` in due
order, so several workers (or two beat instances) share the work without double-alerting;
the Alert unique constraint is the final guard. Each scan reads a partial index, so the
cost follows the number of clocks due, not the number running.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from alerts.selectors import RuleMatcher
from alerts.services import raise_alerts
from sla.models import ClockEventKind, ClockState, SLAClock, SLAClockEvent
from sla.services import breach_clock, warn_clock

logger = logging.getLogger(__name__)

BATCH = 500


@dataclass
class TickResult:
    """What one tick did, for the command's output and the logs."""

    breached: list[int] = field(default_factory=list)
    warned: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"breached {len(self.breached)}, warned {len(self.warned)}, "
            f"escalated {len(self.escalated)}, failed {len(self.failed)}"
        )


def _claim(queryset, order: str) -> list[SLAClock]:
    return list(
        queryset.select_for_update(skip_locked=True, of=("self",))
        .select_related("request__channel")
        .order_by(order)[:BATCH]
    )


def _run_batch(result: list[int], failed: list[int], clocks_query, order: str, action) -> int:
    """Claims one batch and applies ``action`` to each clock; one bad clock never stops it."""
    with transaction.atomic():
        clocks = _claim(clocks_query, order)
        for clock in clocks:
            try:
                with transaction.atomic():
                    if action(clock):
                        result.append(clock.pk)
            except Exception:  # loop boundary: record it and keep going with the others
                logger.exception("sla.clock_failed", extra={"clock_id": clock.pk})
                failed.append(clock.pk)
    return len(clocks)


def escalate_clock(*, clock: SLAClock, now: datetime) -> bool:
    """A breach still open after the policy's escalation delay alerts its destination."""
    updated = SLAClock.objects.filter(pk=clock.pk, escalated_at__isnull=True).update(
        escalated_at=now
    )
    customer_request = clock.request
    if not updated or not customer_request.is_active:
        return False
    SLAClockEvent.objects.create(clock=clock, kind=ClockEventKind.ESCALATED, at=now)
    destination = clock.policy_snapshot.get("escalation_destination")
    raise_alerts(
        customer_request=customer_request,
        event="escalation",
        clock=clock,
        extra_destinations=[destination] if destination else [],
    )
    return True


def evaluate_due_clocks(*, now: datetime) -> TickResult:
    """Runs one evaluation tick at ``now``."""
    result = TickResult()
    rules = RuleMatcher()  # rules are read once per channel and event for the whole tick
    running = SLAClock.objects.filter(state=ClockState.RUNNING)
    queries = [
        (
            result.breached,
            running.filter(due_at__lte=now),
            "due_at",
            lambda clock: breach_clock(clock=clock, now=now, rules=rules),
        ),
        (
            result.warned,
            running.filter(
                warned_at__isnull=True, warn_at__isnull=False, warn_at__lte=now, due_at__gt=now
            ),
            "warn_at",
            lambda clock: warn_clock(clock=clock, now=now, rules=rules),
        ),
        (
            result.escalated,
            SLAClock.objects.filter(
                state=ClockState.BREACHED,
                escalated_at__isnull=True,
                escalate_at__isnull=False,
                escalate_at__lte=now,
            ),
            "escalate_at",
            lambda clock: escalate_clock(clock=clock, now=now),
        ),
    ]
    for bucket, query, order, action in queries:
        while (
            _run_batch(bucket, result.failed, query.exclude(pk__in=result.failed), order, action)
            == BATCH
        ):
            pass
    if result.breached or result.warned or result.escalated or result.failed:
        logger.info(
            "sla.tick",
            extra={
                "breached": len(result.breached),
                "warned": len(result.warned),
                "escalated": len(result.escalated),
                "failed": len(result.failed),
            },
        )
    return result
