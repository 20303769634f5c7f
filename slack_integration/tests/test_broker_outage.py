"""With the broker down, Slack still gets its ack and the event is processed later."""

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.tests.factories import AlertRuleFactory
from conftest import celery_configured, load_payload, unreachable_broker_url
from requests_app.models import Request
from slack_integration.models import InboundEvent
from slack_integration.services.inbound import sweep_inbound_events
from slack_integration.tests.factories import WorkspaceFactory


@pytest.fixture
def workspace(db, fake_slack):
    workspace = WorkspaceFactory()
    AlertRuleFactory(workspace=workspace)
    return workspace


def test_event_is_acked_and_kept_while_the_broker_is_down(workspace, post_to_slack) -> None:
    with celery_configured(broker_url=unreachable_broker_url(), task_always_eager=False):
        response = post_to_slack(load_payload("message_channel.json"))
    assert response.status_code == 200
    inbound = InboundEvent.objects.get()
    assert (inbound.status, inbound.enqueued_at) == ("pending", None)
    assert Request.objects.count() == 0


def test_sweeper_processes_what_arrived_during_the_outage(
    workspace, post_to_slack, fake_slack, django_capture_on_commit_callbacks
) -> None:
    with celery_configured(broker_url=unreachable_broker_url(), task_always_eager=False):
        post_to_slack(load_payload("message_channel.json"))
    assert InboundEvent.objects.get().status == "pending"
    # Too fresh to sweep: the normal enqueue may still be in flight.
    assert sweep_inbound_events(now=timezone.now()) == 0
    with django_capture_on_commit_callbacks(execute=True):
        swept = sweep_inbound_events(now=timezone.now() + timedelta(minutes=2))
    assert swept == 1
    assert InboundEvent.objects.get().status == "processed"
    assert Request.objects.count() == 1
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
