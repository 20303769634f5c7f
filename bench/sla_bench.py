"""SLA evaluation tick on PostgreSQL: the cost of one tick follows the due clocks, not the
running ones.

For each size (default 100,000 then 1,000,000 running clocks, ``--due`` 10,000 of them past
their due time) it loads the rows inside PostgreSQL with ``INSERT … SELECT generate_series``,
runs one ``evaluate_due_clocks`` tick and prints, per size: tick seconds, SQL queries,
queries per due clock, clocks breached and alerts created; then the tick's queries grouped
by statement, and the plan of the due-clock claim, which must read the partial index
``sla_clock_running_due``. The rows of the smaller size are reused for the larger one
(topped up, breaches reset), so both ticks see the same schema and statistics.

Runs against ``thena_bench_sla`` (created with psycopg if missing, then migrated); every
run truncates the benchmark tables first, so do not point it at a database you care
about. Alert delivery is enqueued on commit to kombu's in-process ``memory://`` transport:
no broker is contacted and nothing is delivered. Only 127.0.0.1 is contacted.

    .venv/bin/python bench/sla_bench.py [--running 100000 1000000] [--due 10000]
"""

import argparse
import json
import os
import re
import sys
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from sla.models import SLAClock

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.postgres import PostgresUnavailableError, ensure_postgres_database  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/thena_bench_sla"
DEFAULT_RUNNING = [100_000, 1_000_000]
TEAM_ID = "T0BENCHSLA"
TRIAGE_CHANNEL = "C0TRIAGE"
# Clock n (1-based) belongs to request (n - 1) // 3 + 1 and has kind KINDS[(n - 1) % 3]: one
# live clock per request and kind, as the sla_slaclock_one_live_per_kind constraint demands.
KINDS = ("first_response", "next_response", "resolution")
TARGET_MINUTES = (60, 60, 480)
TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+"(\w+)"')


@dataclass(frozen=True)
class Fixtures:
    """The few configuration rows every bulk row points at."""

    workspace_id: int
    channel_id: int
    customer_id: int
    policy_id: int
    snapshot: str


@dataclass(frozen=True)
class Tick:
    """What one measured tick did and cost."""

    running: int
    due: int
    seconds: float
    cpu_seconds: float  # of this Python process; the rest of the wall time is waiting
    queries: int
    by_statement: dict[str, tuple[int, float]]  # label -> (count, seconds in cursor.execute)
    breached: int
    failed: int
    alerts: int


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--running",
        type=int,
        nargs="+",
        default=DEFAULT_RUNNING,
        help="running clocks per measured tick (default: 100000 1000000)",
    )
    parser.add_argument("--due", type=int, default=10_000, help="clocks due at each tick")
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_SLA_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    arguments = parser.parse_args(argv)
    arguments.running = sorted(set(arguments.running))
    if arguments.due < 1 or arguments.due > arguments.running[0]:
        parser.error("--due must be between 1 and the smallest --running")
    return arguments


def setup_django(database_url: str) -> None:
    """Points Django at the benchmark database (migrated), a local alert backend and an
    in-process broker, before anything imports the settings."""
    try:
        ensure_postgres_database(database_url)
    except PostgresUnavailableError as error:
        raise SystemExit(f"the SLA bench cannot run: {error}") from None
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "thena.settings"
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production")
    os.environ["ALERT_DELIVERY_BACKEND"] = "locmem"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    # In-process queue: publishing works, nothing leaves the process, nothing consumes it.
    os.environ["CELERY_BROKER_URL"] = "memory://localhost/"
    os.environ["LOG_LEVEL"] = "WARNING"  # else one alerts.raised line per breach
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# --- data ---------------------------------------------------------------------------------


def create_fixtures() -> Fixtures:
    """Empties the benchmark tables, then one workspace, channel, customer, 24/7 policy and
    an enabled rule per breach event, all alerting C0TRIAGE."""
    from django.db import connection

    from alerts.models import AlertRule
    from sla.models import SLAPolicy
    from sla.services import BREACH_EVENTS, policy_snapshot
    from slack_integration.models import Channel, SlackUser, Workspace

    with connection.cursor() as cursor:  # every benchmark row hangs off a workspace
        cursor.execute("TRUNCATE slack_integration_workspace RESTART IDENTITY CASCADE")
    workspace = Workspace.objects.create(team_id=TEAM_ID, name="SLA bench", domain="bench")
    channel = Channel.objects.create(
        workspace=workspace, channel_id="C0BENCHSLA", name="customer-bench", is_ext_shared=True
    )
    customer = SlackUser.objects.create(
        workspace=workspace,
        user_id="U0BENCHCUST",
        team_id="T0CUSTOMER",
        real_name="Bench Customer",
        is_external=True,
    )
    policy = SLAPolicy.objects.create(
        workspace=workspace,
        name="Bench 24/7",
        scope="global",
        first_response_minutes=TARGET_MINUTES[0],
        next_response_minutes=TARGET_MINUTES[1],
        resolution_minutes=TARGET_MINUTES[2],
    )
    AlertRule.objects.bulk_create(
        AlertRule(
            workspace=workspace, name=f"bench {event}", event=event, destination=TRIAGE_CHANNEL
        )
        for event in BREACH_EVENTS.values()
    )
    return Fixtures(
        workspace_id=workspace.pk,
        channel_id=channel.pk,
        customer_id=customer.pk,
        policy_id=policy.pk,
        snapshot=json.dumps(policy_snapshot(policy)),
    )


# After inserting explicit ids, so a later ORM insert does not collide.
SET_SEQUENCE = "SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
INSERT_MESSAGES = """
INSERT INTO requests_app_message (id, created_at, updated_at, ts, thread_ts, bot_id, subtype,
    text, is_from_customer, is_auto_reply, posted_at, author_id, channel_id, workspace_id,
    request_id)
SELECT n, %(now)s, %(now)s, (1700000000 + n)::text || '.000100', '', '', '',
    'Our nightly export to S3 failed again with error 502. Can you look into it?',
    true, false, %(now)s - interval '2 hours', %(customer)s, %(channel)s, %(workspace)s, n
FROM generate_series(%(first)s, %(last)s) AS n
"""
INSERT_REQUESTS = """
INSERT INTO requests_app_request (id, created_at, updated_at, status, detected_at,
    detection_stage, detection_score, detection_reason, channel_id, customer_id,
    root_message_id, workspace_id)
SELECT n, %(now)s, %(now)s, 'open', %(now)s - interval '2 hours', 'local_classifier', 0.9, '',
    %(channel)s, %(customer)s, n, %(workspace)s
FROM generate_series(%(first)s, %(last)s) AS n
"""
# Clocks are not due for at least an hour, spread over two weeks and uncorrelated with the id.
INSERT_CLOCKS = """
INSERT INTO sla_slaclock (id, created_at, updated_at, kind, policy_snapshot, started_at,
    target_minutes, due_at, state, request_id, policy_id)
SELECT n, %(now)s, %(now)s, (%(kinds)s::text[])[mod(n - 1, 3) + 1], %(snapshot)s::jsonb,
    %(now)s - interval '10 minutes', (%(targets)s::int[])[mod(n - 1, 3) + 1],
    %(now)s + interval '1 hour' + mod(n::bigint * 7919, 20000) * interval '1 minute', 'running',
    (n - 1) / 3 + 1, %(policy)s
FROM generate_series(%(first)s, %(last)s) AS n
"""


def load_clocks(fixtures: Fixtures, *, first: int, last: int, now: datetime) -> None:
    """Clocks ``first``..``last`` (running, not due) with the messages and requests they need.

    Ids are explicit so the request of clock n is known; the message → request foreign key
    is deferred, so both sides go in one transaction."""
    from django.db import connection, transaction

    params = {
        "now": now,
        "workspace": fixtures.workspace_id,
        "channel": fixtures.channel_id,
        "customer": fixtures.customer_id,
        "policy": fixtures.policy_id,
        "snapshot": fixtures.snapshot,
        "kinds": list(KINDS),
        "targets": list(TARGET_MINUTES),
    }
    requests = {"first": (first - 1) // 3 + 1, "last": (last - 1) // 3 + 1}
    if first > 1 and (first - 1) % 3:  # the previous load's last request has clocks free
        requests["first"] += 1
    with transaction.atomic(), connection.cursor() as cursor:
        if requests["first"] <= requests["last"]:
            cursor.execute(INSERT_MESSAGES, {**params, **requests})
            cursor.execute(INSERT_REQUESTS, {**params, **requests})
        cursor.execute(INSERT_CLOCKS, {**params, "first": first, "last": last})
        for table in ("requests_app_message", "requests_app_request", "sla_slaclock"):
            cursor.execute(SET_SEQUENCE.format(table=table))


RESET_CLOCKS = """
UPDATE sla_slaclock SET state = 'running', breached_at = NULL, stopped_at = NULL,
    escalate_at = NULL, started_at = %(now)s - interval '10 minutes',
    due_at = %(now)s + interval '1 hour' + mod(id * 7919, 20000) * interval '1 minute',
    updated_at = %(now)s
WHERE state <> 'running' OR due_at <= %(now)s
"""
# Every step-th clock becomes due, 1 to 120 minutes ago, so due rows are spread over the heap.
MAKE_DUE = """
UPDATE sla_slaclock SET due_at = %(now)s - (1 + mod(id, 120)) * interval '1 minute',
    started_at = %(now)s - (1 + mod(id, 120) + target_minutes) * interval '1 minute'
WHERE mod(id, %(step)s) = 0 AND id <= %(step)s * %(due)s
"""


def prepare_tick(*, running: int, due: int, now: datetime) -> None:
    """Forgets the previous tick (alerts, clock log, breaches), then makes ``due`` clocks due."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE alerts_alert, alerts_alert_rules, sla_slaclockevent")
        cursor.execute(RESET_CLOCKS, {"now": now})
        cursor.execute(MAKE_DUE, {"now": now, "step": running // due, "due": due})
        for table in (
            "requests_app_message",
            "requests_app_request",
            "sla_slaclock",
            "alerts_alert",
            "alerts_alertrule",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")


# --- measurement --------------------------------------------------------------------------


def claim_queryset(now: datetime) -> "QuerySet[SLAClock]":
    """The breach scan of ``sla.evaluation``, built the same way (its first batch)."""
    from sla.evaluation import BATCH
    from sla.models import ClockState, SLAClock

    return (
        SLAClock.objects.filter(state=ClockState.RUNNING)
        .filter(due_at__lte=now)
        .exclude(pk__in=[])
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("request__channel")
        .order_by("due_at")[:BATCH]
    )


def explain_claim(now: datetime) -> str:
    """EXPLAIN ANALYZE of the claim; run in a transaction that only takes row locks."""
    from django.db import transaction

    with transaction.atomic():
        return claim_queryset(now).explain(analyze=True, buffers=True)


class StatementTimer:
    """An execute wrapper timing each statement precisely: Django's captured times are
    rounded to the millisecond, and most of the tick's statements take less."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds[statement_kind(sql)] += time.perf_counter() - started


def run_tick(*, running: int, due: int, now: datetime) -> Tick:
    """One ``evaluate_due_clocks`` call: wall and CPU time, and every query it sent."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from alerts.models import Alert
    from sla.evaluation import evaluate_due_clocks

    # Django keeps only the last 9,000 queries, and a 10,000-breach tick runs over 100,000.
    connection.queries_log = deque(maxlen=None)
    timer = StatementTimer()
    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
        started, cpu_started = time.perf_counter(), time.process_time()
        result = evaluate_due_clocks(now=now)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    queries = captured.captured_queries
    counts: dict[str, int] = defaultdict(int)
    timed = set(timer.seconds)  # BEGIN and COMMIT bypass execute wrappers: Django's times
    for query in queries:
        kind = statement_kind(query["sql"])
        counts[kind] += 1
        if kind not in timed:
            timer.seconds[kind] += float(query["time"])
    connection.queries_log.clear()
    return Tick(
        running=running,
        due=due,
        seconds=seconds,
        cpu_seconds=cpu_seconds,
        queries=len(queries),
        by_statement={kind: (count, timer.seconds[kind]) for kind, count in counts.items()},
        breached=len(result.breached),
        failed=len(result.failed),
        alerts=Alert.objects.count(),
    )


def statement_kind(sql: str) -> str:
    """A short label for a query: verb and first table (the claim is told apart)."""
    verb = sql.split(None, 1)[0].upper()
    if verb in ("SAVEPOINT", "RELEASE", "ROLLBACK"):
        return "SAVEPOINT / RELEASE"
    match = TABLE.search(sql)
    if match is None:
        return "BEGIN / COMMIT" if verb in ("BEGIN", "COMMIT") else verb
    label = f"{verb} {match.group(1)}"
    if "FOR UPDATE" in sql:
        label += " FOR UPDATE (claim)"
    return label


# --- report -------------------------------------------------------------------------------


def print_ticks(ticks: list[Tick]) -> None:
    print()
    print(
        f"{'running clocks':>15} {'due clocks':>11} {'tick s':>8} {'python cpu s':>13} "
        f"{'queries':>9} {'queries/due':>12} {'breached':>9} {'alerts':>7} {'ms/due':>7}"
    )
    for tick in ticks:
        print(
            f"{tick.running:>15,} {tick.due:>11,} {tick.seconds:>8.2f} {tick.cpu_seconds:>13.2f} "
            f"{tick.queries:>9,} {tick.queries / tick.due:>12.2f} {tick.breached:>9,} "
            f"{tick.alerts:>7,} {tick.seconds * 1000 / tick.due:>7.2f}"
        )
        if tick.failed:
            print(f"  {tick.failed} clocks failed: see the sla.clock_failed log lines")


def print_breakdown(tick: Tick) -> None:
    """Queries of the tick by statement: count, per due clock, and time in cursor.execute."""
    in_queries = sum(seconds for _, seconds in tick.by_statement.values())
    print(
        f"\nqueries of the {tick.running:,}-clock tick by statement "
        "(time: inside cursor.execute, i.e. round trip and driver):"
    )
    print(f"  {'statement':<46} {'count':>8} {'per due':>8} {'time s':>7} {'ms each':>8}")
    for kind, (count, seconds) in sorted(tick.by_statement.items(), key=lambda item: -item[1][0]):
        print(
            f"  {kind:<46} {count:>8,} {count / tick.due:>8.2f} {seconds:>7.2f} "
            f"{seconds * 1000 / count:>8.3f}"
        )
    print(
        f"  in cursor.execute {in_queries:.2f} s of {tick.seconds:.2f} s; the other "
        f"{tick.seconds - in_queries:.2f} s is Python (ORM, services, on-commit enqueue)"
    )


def print_plan(running: int, plan: str) -> None:
    verdict = "uses" if "sla_clock_running_due" in plan else "DOES NOT use"
    print(f"\nclaim plan with {running:,} running clocks ({verdict} sla_clock_running_due):")
    for line in plan.splitlines():
        print(f"  {line}")


def run(arguments: argparse.Namespace) -> None:
    started = time.perf_counter()
    setup_django(arguments.database_url)
    from django.utils import timezone

    fixtures = create_fixtures()
    loaded, ticks = 0, []
    for running in arguments.running:
        now = timezone.now()
        step_started = time.perf_counter()
        load_clocks(fixtures, first=loaded + 1, last=running, now=now)
        prepare_tick(running=running, due=arguments.due, now=now)
        print(
            f"loaded clocks {loaded + 1:,}..{running:,}, made {arguments.due:,} due and "
            f"analyzed in {time.perf_counter() - step_started:.1f} s"
        )
        loaded = running
        now = timezone.now()
        print_plan(running, explain_claim(now))
        ticks.append(run_tick(running=running, due=arguments.due, now=now))
        print(f"tick over {running:,} clocks: {ticks[-1].seconds:.2f} s")
    print_ticks(ticks)
    for tick in ticks:
        print_breakdown(tick)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


def main(argv: list[str] | None = None) -> None:
    run(parse_arguments(argv))


if __name__ == "__main__":
    main(sys.argv[1:])
