"""Alert delivery over the Slack Web API: retries, Retry-After, and nothing lost."""

import logging

import pytest

from alerts.models import Alert
from alerts.services import deliver_alert
from alerts.tests.factories import AlertFactory
from requests_app.tests.factories import RequestFactory
from slack_integration.fake_slack import Scripted
from slack_integration.tests.factories import ChannelFactory, WorkspaceFactory


@pytest.fixture
def alert(db, fake_slack):
    workspace = WorkspaceFactory(domain="acme")
    channel = ChannelFactory(workspace=workspace, channel_id="C0CUST1", name="acme-globex")
    customer_request = RequestFactory(root_message__channel=channel)
    return AlertFactory(request=customer_request, destination="C0TRIAGE")


def test_rate_limited_post_is_retried_after_retry_after(
    alert, fake_slack, caplog, django_capture_on_commit_callbacks
) -> None:
    fake_slack.script(
        "chat.postMessage",
        Scripted(
            status=429, body={"ok": False, "error": "ratelimited"}, headers={"Retry-After": "7"}
        ),
    )
    with caplog.at_level(logging.WARNING, logger="alerts.services"):
        deliver_alert(alert_id=alert.pk)  # the retry it schedules runs eagerly in tests
    failure = next(record for record in caplog.records if record.msg == "alerts.delivery_failed")
    assert failure.retry_in_seconds == 7.0
    alert.refresh_from_db()
    assert (alert.status, alert.attempts) == ("sent", 2)
    assert len(fake_slack.calls_to("chat.postMessage")) == 2


def test_server_errors_are_retried_then_recorded_not_lost(alert, fake_slack, settings) -> None:
    from alerts import services

    fake_slack.script(
        "chat.postMessage",
        *[Scripted(status=503, body={"ok": False}) for _ in range(services.MAX_ATTEMPTS)],
    )
    deliver_alert(alert_id=alert.pk)
    alert.refresh_from_db()
    assert alert.status == "gave_up"
    assert alert.attempts == services.MAX_ATTEMPTS
    assert "chat.postMessage" in alert.last_error
    assert len(fake_slack.calls_to("chat.postMessage")) == services.MAX_ATTEMPTS


def test_permanent_error_is_not_retried(alert, fake_slack) -> None:
    fake_slack.script(
        "chat.postMessage", Scripted(body={"ok": False, "error": "channel_not_found"})
    )
    deliver_alert(alert_id=alert.pk)
    alert.refresh_from_db()
    assert (alert.status, alert.attempts) == ("gave_up", 1)
    assert "channel_not_found" in alert.last_error


def test_delivered_alert_is_not_sent_twice(alert, fake_slack) -> None:
    deliver_alert(alert_id=alert.pk)
    deliver_alert(alert_id=alert.pk)
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert Alert.objects.get().status == "sent"


def test_timeout_counts_as_transient(alert, fake_slack, monkeypatch) -> None:
    from slack_integration import client

    monkeypatch.setattr(client, "WEB_API_TIMEOUT_SECONDS", 0.2)
    fake_slack.script("chat.postMessage", Scripted(delay_seconds=0.6))
    deliver_alert(alert_id=alert.pk)
    alert.refresh_from_db()
    assert alert.status == "sent"
    assert alert.attempts == 2
