"""End to end with real processes: a Celery worker and beat on the configured broker.

These run where the worker can share the test database, i.e. on PostgreSQL (CI). The web
side is pytest-django's live server; Slack is the loopback server.
"""

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from alerts.models import Alert
from alerts.tests.factories import AlertRuleFactory
from conftest import celery_configured, load_payload, sign
from requests_app.tests.factories import RequestFactory
from sla.services import start_request_clocks
from sla.tests.factories import SLAPolicyFactory
from slack_integration.tests.factories import ChannelFactory, WorkspaceFactory

ROOT = Path(__file__).resolve().parent.parent
INTERVAL_SECONDS = 3

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="worker processes need a shared database server"
    ),
    pytest.mark.django_db(transaction=True),
]


def _database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def _transport_options(broker: str, tmp_path: Path) -> dict:
    if not broker.startswith("filesystem"):
        return {}
    folder = str(tmp_path / "broker")
    return {"data_folder_in": folder, "data_folder_out": folder, "store_processed": False}


@pytest.fixture
def processes(fake_slack, tmp_path) -> Iterator[list[subprocess.Popen]]:
    """Starts a worker and beat against the test database; stops them afterwards."""
    broker = os.environ.get("CELERY_BROKER_URL") or "filesystem://localhost/"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker,
        "BROKER_FOLDER": str(tmp_path / "broker"),
        "SECRET_KEY": settings.SECRET_KEY,
        "SLACK_API_BASE_URL": fake_slack.base_url,
        "ALERT_DELIVERY_BACKEND": "slack",
        "SLACK_BOT_TOKEN": "xoxb-e2e",
        "SLACK_SIGNING_SECRET": settings.SLACK_SIGNING_SECRET,
        "SLA_EVALUATION_INTERVAL_SECONDS": str(INTERVAL_SECONDS),
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "thena.settings",
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    celery = [sys.executable, "-m", "celery", "-A", "thena"]
    started = [
        subprocess.Popen(
            [*celery, "worker", "-Q", "celery,alerts", "-c", "2", "--loglevel", "WARNING"],
            cwd=ROOT,
            env=env,
        ),
        subprocess.Popen(
            [
                *celery,
                "beat",
                "--loglevel",
                "WARNING",
                "--schedule",
                str(tmp_path / "beat-schedule"),
            ],
            cwd=ROOT,
            env=env,
        ),
    ]
    with celery_configured(
        task_always_eager=False,
        broker_url=broker,
        broker_transport_options=_transport_options(broker, tmp_path),
    ):
        yield started
    for process in started:
        process.terminate()
    for process in started:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def test_breach_is_alerted_within_one_interval_of_its_due_time(fake_slack, processes) -> None:
    workspace = WorkspaceFactory()
    channel = ChannelFactory(workspace=workspace, channel_id="C0CUST1")
    SLAPolicyFactory(
        workspace=workspace,
        first_response_minutes=30,
        resolution_minutes=None,
        warning_percent=None,
    )
    AlertRuleFactory(workspace=workspace, event="first_response_breached")
    # A message posted 30 minutes minus 8 seconds ago: its clock falls due in 8 seconds.
    posted_at = timezone.now() - timedelta(minutes=30) + timedelta(seconds=8)
    customer_request = RequestFactory(
        root_message__channel=channel, root_message__posted_at=posted_at
    )
    [clock] = start_request_clocks(
        customer_request=customer_request, started_at=posted_at, now=timezone.now()
    )
    calls = fake_slack.wait_for("chat.postMessage", count=1, timeout=60)
    assert len(calls) == 1, "no breach alert reached Slack"
    lateness = calls[0].at - clock.due_at.timestamp()
    # Beat ticks every INTERVAL_SECONDS; allow the worker's pick-up and delivery on top.
    assert 0 <= lateness <= INTERVAL_SECONDS + 5
    alert = Alert.objects.get()
    assert (alert.event, alert.status) == ("first_response_breached", "sent")


def test_event_posted_to_the_server_is_processed_by_the_worker(
    fake_slack, processes, live_server
) -> None:
    workspace = WorkspaceFactory(team_id="T0001")
    AlertRuleFactory(workspace=workspace, event="request_detected")
    body = json.dumps(load_payload("message_channel.json")).encode()
    request = urllib.request.Request(
        live_server.url + "/slack/events",
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": sign(body)["HTTP_X_SLACK_REQUEST_TIMESTAMP"],
            "X-Slack-Signature": sign(body)["HTTP_X_SLACK_SIGNATURE"],
        },
    )
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    assert time.monotonic() - started < 3
    calls = fake_slack.wait_for("chat.postMessage", count=1, timeout=60)
    assert [call.params["channel"] for call in calls] == ["C0TRIAGE"]
