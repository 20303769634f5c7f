"""Fixtures shared by every app's tests: admin client, loopback Slack, signed posting."""

import hashlib
import hmac
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from hypothesis import settings as hypothesis_settings

from slack_integration.fake_slack import FakeSlack

# The team's Slack payload fixtures (shared/data/slack_payloads), copied into the repo so the
# suite runs from any checkout.
PAYLOADS = Path(__file__).resolve().parent / "slack_integration" / "tests" / "payloads"
SHARED_PAYLOADS = PAYLOADS
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@pytest.fixture
def staff_client(db, django_user_model) -> Client:
    """A client logged in as a staff superuser (the support lead using the admin)."""
    user = django_user_model.objects.create_superuser("lead", "lead@acme.example", "pw-lead-1")
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def fake_slack(settings) -> Iterator[FakeSlack]:
    """A loopback Slack Web API; every WebClient in the app talks to it over HTTP."""
    with FakeSlack() as server:
        settings.SLACK_API_BASE_URL = server.base_url
        settings.SLACK_SIGNING_SECRET = SIGNING_SECRET
        settings.ALERT_DELIVERY_BACKEND = "slack"
        yield server


def load_payload(name: str) -> dict[str, Any]:
    """A payload fixture by file name (slack_integration/tests/payloads)."""
    return json.loads((PAYLOADS / name).read_text())


def sign(
    body: bytes, *, timestamp: int | None = None, secret: str = SIGNING_SECRET
) -> dict[str, str]:
    """Slack's request-signing headers for ``body``."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256)
    return {
        "HTTP_X_SLACK_REQUEST_TIMESTAMP": stamp,
        "HTTP_X_SLACK_SIGNATURE": "v0=" + digest.hexdigest(),
    }


@pytest.fixture
def post_to_slack(client, django_capture_on_commit_callbacks) -> Callable[..., Any]:
    """Posts a signed body to /slack/events and runs the work it queued (tasks run eagerly).

    ``body`` may be a dict (sent as JSON), bytes (sent as they are) or a form dict via
    ``form=``. Extra headers go in ``headers`` as Django META keys.
    """

    def post(
        body: Any = None,
        *,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        timestamp: int | None = None,
        secret: str = SIGNING_SECRET,
        content_type: str | None = None,
    ) -> Any:
        if form is not None:
            raw, kind = urlencode(form).encode(), "application/x-www-form-urlencoded"
        elif isinstance(body, bytes | str):
            raw, kind = body.encode() if isinstance(body, str) else body, "application/json"
        else:
            raw, kind = json.dumps(body).encode(), "application/json"
        meta = {**sign(raw, timestamp=timestamp, secret=secret), **(headers or {})}
        with django_capture_on_commit_callbacks(execute=True):
            return client.generic(
                "POST", "/slack/events", raw, content_type=content_type or kind, **meta
            )

    return post


# CI runs Hypothesis derandomised, so a red build is reproducible, never a coin toss.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


def _reset_broker_pools() -> None:
    """Drops Celery's pooled broker connections so the next publish uses the current URL."""
    from kombu import pools

    from thena.celery import app as celery_app

    pools.reset()  # kombu keeps pools per connection globally; reset() closes and forgets them
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def celery_configured(**conf: Any) -> Iterator[None]:
    """Celery configuration changed for a block, e.g. a broker URL or eager mode."""
    from thena.celery import app as celery_app

    if "broker_url" in conf:
        conf.setdefault("broker_read_url", conf["broker_url"])
        conf.setdefault("broker_write_url", conf["broker_url"])
    original = {key: celery_app.conf[key] for key in conf}
    celery_app.conf.update(conf)
    _reset_broker_pools()
    try:
        yield
    finally:
        celery_app.conf.update(original)
        _reset_broker_pools()


def unreachable_broker_url() -> str:
    """A Redis URL on a loopback port where nothing listens: a real refused connection."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"
