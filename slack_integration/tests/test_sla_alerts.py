"""SLA alerts as Slack shows them: breach details, and the in-place update on an answer."""

import json

import pytest

from alerts.models import Alert
from alerts.tests.factories import AlertRuleFactory
from conftest import load_payload
from sla.tests.factories import SLAPolicyFactory
from slack_integration.tests.factories import WorkspaceFactory


@pytest.fixture
def workspace(db, fake_slack):
    workspace = WorkspaceFactory(team_id="T0001", domain="acme")
    SLAPolicyFactory(workspace=workspace, first_response_minutes=30)
    AlertRuleFactory(workspace=workspace, event="first_response_breached", destination="C0TRIAGE")
    return workspace


def test_late_message_breaches_at_once_with_how_late(workspace, fake_slack, post_to_slack) -> None:
    # Gina's fixture message is from 2025: its first-response deadline passed long ago.
    post_to_slack(load_payload("message_channel.json"))
    alert = Alert.objects.get(event="first_response_breached")
    assert alert.status == "sent"
    [posted] = fake_slack.calls_to("chat.postMessage")
    blocks = json.dumps(posted.params["blocks"])
    assert "First response SLA breached" in blocks
    assert "late" in blocks
    assert "gina" in blocks  # the customer, by her Slack display name


def test_answer_after_the_breach_updates_the_alert_in_place(
    workspace, fake_slack, post_to_slack
) -> None:
    post_to_slack(load_payload("message_channel.json"))
    alert = Alert.objects.get(event="first_response_breached")
    post_to_slack(load_payload("thread_reply.json"))
    updates = [
        call.params
        for call in fake_slack.calls_to("chat.update")
        if call.params.get("ts") == alert.slack_ts
    ]
    assert updates, "the breach alert was not updated"
    assert "Answered by vera" in json.dumps(updates[-1]["blocks"])
    assert updates[-1]["channel"] == "C0TRIAGE"
