"""SLA clocks and evaluation ticks: breaches, warnings, escalations, exactly once."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection, connections
from django.utils import timezone

from alerts.models import Alert
from alerts.tests.factories import AlertRuleFactory
from requests_app.tests.factories import RequestFactory
from sla.evaluation import evaluate_due_clocks
from sla.models import SLAClock
from sla.selectors import get_applicable_policy
from sla.services import (
    pause_resolution,
    record_response,
    resume_resolution,
    start_request_clocks,
)
from sla.tests.factories import BusinessHoursCalendarFactory, SLAPolicyFactory
from slack_integration.tests.factories import ChannelFactory

START = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # a Tuesday


@pytest.fixture
def customer_request(db):
    channel = ChannelFactory(segment="customer")
    SLAPolicyFactory(
        workspace=channel.workspace,
        name="default",
        first_response_minutes=30,
        resolution_minutes=600,
        warning_percent=80,
    )
    for event in (
        "first_response_warning",
        "first_response_breached",
        "resolution_breached",
        "escalation",
    ):
        AlertRuleFactory(workspace=channel.workspace, event=event, destination="C0TRIAGE")
    return RequestFactory(
        root_message__channel=channel, root_message__posted_at=START, detected_at=START
    )


def start(customer_request, now=START) -> list[SLAClock]:
    return start_request_clocks(customer_request=customer_request, started_at=START, now=now)


def alerts(event: str) -> list[Alert]:
    return list(Alert.objects.filter(event=event))


def test_unanswered_message_breaches_once_after_31_minutes(customer_request) -> None:
    start(customer_request)
    evaluate_due_clocks(now=START + timedelta(minutes=29))
    assert alerts("first_response_breached") == []
    result = evaluate_due_clocks(now=START + timedelta(minutes=31))
    assert len(result.breached) == 1
    assert len(alerts("first_response_breached")) == 1
    evaluate_due_clocks(now=START + timedelta(minutes=32))
    assert len(alerts("first_response_breached")) == 1
    clock = SLAClock.objects.get(kind="first_response")
    assert clock.state == "breached"
    assert list(clock.events.values_list("kind", flat=True)) == ["started", "warned", "breached"]


def test_vendor_reply_at_minute_29_prevents_the_breach(customer_request) -> None:
    start(customer_request)
    record_response(
        customer_request=customer_request,
        responded_at=START + timedelta(minutes=29),
        responder_id=None,
    )
    evaluate_due_clocks(now=START + timedelta(minutes=31))
    assert alerts("first_response_breached") == []
    assert SLAClock.objects.get(kind="first_response").state == "met"


def test_warning_at_80_percent(customer_request) -> None:
    start(customer_request)
    evaluate_due_clocks(now=START + timedelta(minutes=23))
    assert alerts("first_response_warning") == []
    result = evaluate_due_clocks(now=START + timedelta(minutes=24))
    assert len(result.warned) == 1
    assert len(alerts("first_response_warning")) == 1
    evaluate_due_clocks(now=START + timedelta(minutes=25))
    assert len(alerts("first_response_warning")) == 1


def test_message_arriving_past_its_deadline_breaches_at_once(customer_request) -> None:
    clocks = start(customer_request, now=START + timedelta(hours=2))
    first = next(clock for clock in clocks if clock.kind == "first_response")
    first.refresh_from_db()
    assert first.state == "breached"
    assert len(alerts("first_response_breached")) == 1


def test_channel_policy_beats_segment_beats_global(db) -> None:
    channel = ChannelFactory(segment="partner")
    workspace = channel.workspace
    SLAPolicyFactory(workspace=workspace, name="global")
    assert get_applicable_policy(channel=channel).name == "global"
    SLAPolicyFactory(workspace=workspace, name="partners", scope="segment", segment="partner")
    assert get_applicable_policy(channel=channel).name == "partners"
    SLAPolicyFactory(workspace=workspace, name="this-channel", scope="channel", channel=channel)
    assert get_applicable_policy(channel=channel).name == "this-channel"
    SLAPolicyFactory(workspace=workspace, name="other-segment", scope="segment", segment="customer")
    assert get_applicable_policy(channel=channel).name == "this-channel"


def test_disabled_policy_is_skipped(db) -> None:
    channel = ChannelFactory(segment="partner")
    SLAPolicyFactory(workspace=channel.workspace, name="global")
    SLAPolicyFactory(
        workspace=channel.workspace, name="off", scope="channel", channel=channel, is_enabled=False
    )
    assert get_applicable_policy(channel=channel).name == "global"


def test_clock_keeps_its_policy_snapshot_after_the_policy_changes(customer_request) -> None:
    start(customer_request)
    policy = get_applicable_policy(channel=customer_request.channel)
    policy.first_response_minutes = 120
    policy.save()
    clock = SLAClock.objects.get(kind="first_response")
    assert clock.policy_snapshot["first_response_minutes"] == 30
    assert clock.due_at == START + timedelta(minutes=30)


def test_business_hours_push_the_deadline_to_the_next_morning(db) -> None:
    channel = ChannelFactory()
    calendar = BusinessHoursCalendarFactory(
        workspace=channel.workspace,
        timezone="Europe/Berlin",
        weekly_hours={day: ["09:00-17:00"] for day in ("mon", "tue", "wed", "thu", "fri")},
    )
    SLAPolicyFactory(workspace=channel.workspace, calendar=calendar, first_response_minutes=60)
    evening = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)  # 16:30 in Berlin
    customer_request = RequestFactory(
        root_message__channel=channel, root_message__posted_at=evening
    )
    start_request_clocks(customer_request=customer_request, started_at=evening, now=evening)
    clock = SLAClock.objects.get(kind="first_response")
    assert clock.due_at == datetime(2026, 11, 25, 8, 30, tzinfo=UTC)  # 09:30 Berlin next day


def test_pause_keeps_the_remaining_time(customer_request) -> None:
    start(customer_request)
    pause_resolution(customer_request=customer_request, now=START + timedelta(minutes=100))
    clock = SLAClock.objects.get(kind="resolution")
    assert clock.state == "paused"
    evaluate_due_clocks(now=START + timedelta(hours=20))
    assert alerts("resolution_breached") == []
    resume_resolution(customer_request=customer_request, now=START + timedelta(hours=24))
    clock.refresh_from_db()
    assert clock.state == "running"
    assert clock.due_at == START + timedelta(hours=24, minutes=500)
    assert [event.kind for event in clock.events.all()] == ["started", "paused", "resumed"]


def test_breach_still_open_escalates_once(customer_request) -> None:
    policy = get_applicable_policy(channel=customer_request.channel)
    policy.escalation_minutes = 60
    policy.escalation_destination = "C0ESCAL"
    policy.save()
    start(customer_request)
    evaluate_due_clocks(now=START + timedelta(minutes=31))
    evaluate_due_clocks(now=START + timedelta(minutes=90))
    assert alerts("escalation") == []
    result = evaluate_due_clocks(now=START + timedelta(minutes=92))
    assert len(result.escalated) == 1
    assert sorted(alert.destination for alert in alerts("escalation")) == ["C0ESCAL", "C0TRIAGE"]
    evaluate_due_clocks(now=START + timedelta(minutes=200))
    assert len(alerts("escalation")) == 2


def test_evaluate_slas_command_prints_what_it_did(customer_request, capsys) -> None:
    from django.core.management import call_command

    start(customer_request)
    with time_machine.travel(START + timedelta(minutes=45), tick=False):
        call_command("evaluate_slas")
    output = capsys.readouterr().out
    assert "breached: clock" in output
    assert "breached 1, warned 0" in output


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_evaluators_in_parallel_alert_once_per_clock() -> None:
    channel = ChannelFactory()
    SLAPolicyFactory(
        workspace=channel.workspace,
        first_response_minutes=30,
        resolution_minutes=None,
        warning_percent=None,
    )
    AlertRuleFactory(workspace=channel.workspace, event="first_response_breached")
    for _ in range(40):
        customer_request = RequestFactory(
            root_message__channel=channel, root_message__posted_at=START
        )
        start_request_clocks(customer_request=customer_request, started_at=START, now=START)
    barrier = threading.Barrier(2)
    results = []

    def evaluator() -> None:
        barrier.wait()
        try:
            results.append(evaluate_due_clocks(now=timezone.now()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=evaluator) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(len(result.breached) for result in results) == 40
    assert Alert.objects.filter(event="first_response_breached").count() == 40
    assert SLAClock.objects.filter(state="breached").count() == 40


def test_policy_edit_applies_to_running_clocks_only_when_asked(customer_request) -> None:
    from sla.services import recompute_policy_clocks

    start(customer_request)
    policy = get_applicable_policy(channel=customer_request.channel)
    policy.first_response_minutes = 120
    policy.save()
    clock = SLAClock.objects.get(kind="first_response")
    assert clock.due_at == START + timedelta(minutes=30)
    assert recompute_policy_clocks(policy=policy, now=START + timedelta(minutes=5)) == 2
    clock.refresh_from_db()
    assert clock.due_at == START + timedelta(minutes=120)
    assert clock.policy_snapshot["first_response_minutes"] == 120
    assert clock.events.last().kind == "recomputed"


def test_recompute_keeps_pauses(customer_request) -> None:
    from sla.services import recompute_policy_clocks

    start(customer_request)
    pause_resolution(customer_request=customer_request, now=START + timedelta(minutes=100))
    resume_resolution(customer_request=customer_request, now=START + timedelta(minutes=160))
    policy = get_applicable_policy(channel=customer_request.channel)
    policy.resolution_minutes = 300
    policy.save()
    recompute_policy_clocks(policy=policy, now=START + timedelta(minutes=170))
    clock = SLAClock.objects.get(kind="resolution")
    assert clock.due_at == START + timedelta(minutes=300 + 60)  # the 60-minute pause is kept


def test_follow_up_after_a_vendor_reply_starts_a_next_response_clock(customer_request) -> None:
    from sla.services import record_customer_message

    policy = get_applicable_policy(channel=customer_request.channel)
    policy.next_response_minutes = 60
    policy.save()
    AlertRuleFactory(workspace=customer_request.workspace, event="next_response_breached")
    start(customer_request)
    replied_at = START + timedelta(minutes=10)
    record_response(customer_request=customer_request, responded_at=replied_at, responder_id=None)
    customer_request.first_response_at = replied_at
    followup_at = START + timedelta(minutes=20)
    clock = record_customer_message(customer_request=customer_request, message_at=followup_at)
    assert clock.kind == "next_response"
    assert clock.due_at == followup_at + timedelta(minutes=60)
    evaluate_due_clocks(now=followup_at + timedelta(minutes=61))
    assert len(alerts("next_response_breached")) == 1


def test_assignment_counts_as_response_when_the_policy_says_so(customer_request) -> None:
    from sla.services import record_assignment

    policy = get_applicable_policy(channel=customer_request.channel)
    policy.assignment_counts_as_response = True
    policy.save()
    start(customer_request)
    record_assignment(customer_request=customer_request, now=START + timedelta(minutes=5))
    evaluate_due_clocks(now=START + timedelta(minutes=31))
    assert alerts("first_response_breached") == []
