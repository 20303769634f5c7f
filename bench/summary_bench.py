"""`/my summary` latency: 500 active requests assigned to one person, signed slash commands
posted through Django's test Client, p50/p99 in milliseconds and queries per call.

Runs against a fresh PostgreSQL database ``thena_bench_summary`` (created with psycopg if
missing, then migrated) or, with ``--sqlite``, a SQLite file under ``var/``::

    .venv/bin/python bench/summary_bench.py [--sqlite] [--iterations 200] [--requests 500]
"""

import argparse
import hashlib
import hmac
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.postgres import PostgresUnavailableError, ensure_postgres_database  # noqa: E402

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/thena_bench_summary"
TEAM_ID = "T0BENCH"
USER_ID = "U0BENCHVERA"
SIGNING_SECRET = "bench-signing-secret"  # noqa: S105 (a local benchmark's own secret)


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite", action="store_true", help="use var/bench_summary.sqlite3")
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_POSTGRES_URL)
    )
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=5)
    return parser.parse_args(argv)


def setup_django(arguments: argparse.Namespace) -> str:
    if arguments.sqlite:
        path = ROOT / "var" / "bench_summary.sqlite3"
        path.parent.mkdir(exist_ok=True)
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        url = arguments.database_url
        try:
            ensure_postgres_database(url)
        except PostgresUnavailableError as error:
            raise SystemExit(f"the summary bench cannot run: {error}") from None
    os.environ["DATABASE_URL"] = url
    os.environ["SLACK_SIGNING_SECRET"] = SIGNING_SECRET
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thena.settings")
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0, interactive=False)
    return url.split("://", 1)[0]


def seed(request_count: int) -> None:
    """One workspace, one support person, ``request_count`` active requests assigned to her:
    a third breached, a third with a running clock, a third without SLA; every fifth has a
    ticket. Old benchmark rows are removed first, so every run starts the same."""
    from django.utils import timezone

    from requests_app.models import Message, Request
    from sla.models import SLAClock
    from slack_integration.models import Channel, SlackUser, Workspace
    from tickets.models import Ticket, TicketProvider

    Request.objects.filter(workspace__team_id=TEAM_ID).delete()
    Workspace.objects.filter(team_id=TEAM_ID).delete()
    now = timezone.now()
    workspace = Workspace.objects.create(team_id=TEAM_ID, name="Bench", domain="bench")
    vera = SlackUser.objects.create(
        workspace=workspace,
        user_id=USER_ID,
        team_id=TEAM_ID,
        real_name="Vera Bench",
        info_fetched_at=now,
    )
    channels = Channel.objects.bulk_create(
        Channel(
            workspace=workspace,
            channel_id=f"C0BENCH{number}",
            name=f"customer-{number}",
            is_ext_shared=True,
            info_fetched_at=now,
        )
        for number in range(20)
    )
    customers = SlackUser.objects.bulk_create(
        SlackUser(
            workspace=workspace,
            user_id=f"U0CUST{number}",
            team_id="T0CUSTOMER",
            real_name=f"Customer {number}",
            is_external=True,
            info_fetched_at=now,
        )
        for number in range(50)
    )
    messages = Message.objects.bulk_create(
        Message(
            workspace=workspace,
            channel=channels[number % 20],
            ts=f"{1741000000 + number}.1",
            author=customers[number % 50],
            text="export failing",
            is_from_customer=True,
            posted_at=now - timedelta(minutes=number + 5),
        )
        for number in range(request_count)
    )
    requests = Request.objects.bulk_create(
        Request(
            workspace=workspace,
            channel=message.channel,
            root_message=message,
            customer=message.author,
            assignee=vera,
            status="in_progress",
            detected_at=message.posted_at,
            detection_stage="local_classifier",
            detection_score=0.9,
        )
        for message in messages
    )
    clocks = []
    for number, customer_request in enumerate(requests):
        if number % 3 == 2:
            continue
        is_breached = number % 3 == 0
        due_at = now + timedelta(minutes=-number if is_breached else number + 10)
        clocks.append(
            SLAClock(
                request=customer_request,
                kind="first_response",
                started_at=due_at - timedelta(minutes=30),
                target_minutes=30,
                due_at=due_at,
                state="breached" if is_breached else "running",
                breached_at=due_at if is_breached else None,
            )
        )
    SLAClock.objects.bulk_create(clocks)
    provider = TicketProvider.objects.create(
        workspace=workspace, name="Internal", kind="internal", is_default=True
    )
    Ticket.objects.bulk_create(
        Ticket(
            provider=provider,
            request=customer_request,
            number=number + 1,
            external_key=f"REQ-{number + 1}",
            title="Export failing",
        )
        for number, customer_request in enumerate(requests[::5])
    )


def signed_post(client: object, body: bytes) -> object:
    stamp = str(int(time.time()))
    digest = hmac.new(SIGNING_SECRET.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256)
    return client.generic(  # type: ignore[attr-defined]
        "POST",
        "/slack/events",
        body,
        content_type="application/x-www-form-urlencoded",
        HTTP_X_SLACK_REQUEST_TIMESTAMP=stamp,
        HTTP_X_SLACK_SIGNATURE="v0=" + digest.hexdigest(),
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def run(arguments: argparse.Namespace) -> None:
    vendor = setup_django(arguments)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    seed(arguments.requests)
    body = urlencode(
        {
            "token": "bench",
            "team_id": TEAM_ID,
            "team_domain": "bench",
            "channel_id": "C0TRIAGE",
            "channel_name": "triage",
            "user_id": USER_ID,
            "user_name": "vera",
            "command": "/my",
            "text": "summary",
            "api_app_id": "A0APP1",
            "is_enterprise_install": "false",
            "response_url": "https://hooks.slack.com/commands/T0BENCH/1/x",
            "trigger_id": "1.2.3",
        }
    ).encode()
    client = Client()
    for _ in range(arguments.warmup):
        response = signed_post(client, body)
        if response.status_code != 200 or "open requests" not in response.content.decode():
            raise SystemExit(f"unexpected answer {response.status_code}: {response.content[:200]}")
    timings, query_counts = [], []
    for _ in range(arguments.iterations):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            signed_post(client, body)
            timings.append((time.perf_counter() - started) * 1000)
        query_counts.append(len(queries.captured_queries))
    print(
        f"/my summary, {arguments.requests} assigned requests, {vendor}, "
        f"{arguments.iterations} calls"
    )
    print(
        f"  p50 {statistics.median(timings):.1f} ms  p99 {percentile(timings, 0.99):.1f} ms  "
        f"max {max(timings):.1f} ms"
    )
    print(f"  queries per call: {min(query_counts)}-{max(query_counts)}")


def main(argv: list[str] | None = None) -> None:
    run(parse_arguments(argv))


if __name__ == "__main__":
    main(sys.argv[1:])
