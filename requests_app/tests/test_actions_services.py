"""The services and selectors behind the Slack buttons, `/my summary` and App Home."""

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.backends import LocmemBackend
from alerts.tests.factories import AlertFactory
from requests_app.exceptions import NotInternalUserError, RequestNotFoundError, RequestStateError
from requests_app.models import RequestEvent
from requests_app.selectors import (
    get_my_summary,
    get_request_for_workspace,
    get_request_of_customer_message,
    get_team_counts,
    list_my_requests,
)
from requests_app.services.actions import Actor, close_request
from requests_app.services.tickets import create_ticket_for_request
from requests_app.tests.factories import MessageFactory, RequestFactory
from sla.tests.factories import SLAClockFactory
from slack_integration.tests.factories import (
    ChannelFactory,
    CustomerFactory,
    SlackUserFactory,
    WorkspaceFactory,
)
from tickets.tests.factories import TicketFactory


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(team_id="T0001", domain="acme")


@pytest.fixture
def vera(workspace):
    return SlackUserFactory(workspace=workspace, user_id="U0VEND1")


def active(assignee, *, minutes_ago: int = 60, status: str = "in_progress", **fields):
    channel = ChannelFactory(workspace=assignee.workspace)
    posted_at = timezone.now() - timedelta(minutes=minutes_ago)
    return RequestFactory(
        root_message=MessageFactory(channel=channel, posted_at=posted_at),
        assignee=assignee,
        status=status,
        **fields,
    )


def running(customer_request, minutes: int, *, state: str = "running", kind: str = "resolution"):
    due_at = timezone.now() + timedelta(minutes=minutes)
    return SLAClockFactory(
        request=customer_request,
        kind=kind,
        state=state,
        due_at=due_at,
        started_at=due_at - timedelta(hours=1),
        breached_at=due_at if state == "breached" else None,
        paused_at=timezone.now() if state == "paused" else None,
    )


def test_request_of_another_workspace_is_not_found(workspace) -> None:
    foreign = RequestFactory(
        root_message__channel=ChannelFactory(workspace=WorkspaceFactory(team_id="T0OTHER"))
    )
    with pytest.raises(RequestNotFoundError):
        get_request_for_workspace(workspace=workspace, request_id=foreign.pk)
    mine = RequestFactory(root_message__channel=ChannelFactory(workspace=workspace))
    assert get_request_for_workspace(workspace=workspace, request_id=mine.pk) == mine


def test_second_close_is_refused_with_already_closed(vera) -> None:
    customer_request = active(vera)
    close_request(customer_request=customer_request, actor=Actor(slack_user=vera))
    with pytest.raises(RequestStateError, match="already closed"):
        close_request(customer_request=customer_request, actor=Actor(slack_user=vera))
    assert RequestEvent.objects.filter(kind="closed").count() == 1


def test_customer_cannot_close(vera) -> None:
    customer_request = active(vera)
    customer = CustomerFactory(workspace=vera.workspace)
    with pytest.raises(NotInternalUserError):
        close_request(customer_request=customer_request, actor=Actor(slack_user=customer))
    customer_request.refresh_from_db()
    assert customer_request.status == "in_progress"


def test_ticket_for_request_writes_the_timeline_and_refreshes_alerts(
    vera, settings, django_capture_on_commit_callbacks
) -> None:
    settings.ALERT_DELIVERY_BACKEND = "locmem"
    LocmemBackend.outbox.clear()
    customer_request = active(vera)
    alert = AlertFactory(
        request=customer_request, status="sent", sent_at=timezone.now(), slack_ts="1.2"
    )
    with django_capture_on_commit_callbacks(execute=True):
        ticket = create_ticket_for_request(
            customer_request=customer_request,
            actor=Actor(slack_user=vera),
            title="Export",
            description="",
            priority="urgent",
        )
    event = RequestEvent.objects.get(request=customer_request, kind="ticket_created")
    assert event.detail == {
        "ticket_id": ticket.pk,
        "key": "REQ-1",
        "provider_id": ticket.provider_id,
    }
    [(kind, updated, view)] = LocmemBackend.outbox
    assert (kind, updated.pk, view.ticket_key) == ("update", alert.pk, "REQ-1")


def test_ticket_with_an_assignee_assigns_the_request(vera, workspace) -> None:
    customer_request = active(vera, status="open")
    victor = SlackUserFactory(workspace=workspace, user_id="U0VEND2")
    create_ticket_for_request(
        customer_request=customer_request,
        actor=Actor(slack_user=vera),
        title="Export",
        description="",
        priority="low",
        assignee=victor,
    )
    customer_request.refresh_from_db()
    assert customer_request.assignee == victor
    assert RequestEvent.objects.filter(kind="assigned").count() == 1


def test_customer_cannot_create_a_ticket(vera) -> None:
    customer_request = active(vera)
    with pytest.raises(NotInternalUserError):
        create_ticket_for_request(
            customer_request=customer_request,
            actor=Actor(slack_user=CustomerFactory(workspace=vera.workspace)),
            title="x",
            description="",
            priority="low",
        )


def test_list_my_requests_orders_breached_longest_then_least_time_left(vera) -> None:
    no_sla_old = active(vera, minutes_ago=900)
    no_sla_new = active(vera, minutes_ago=10)
    soon = active(vera)
    running(soon, 15)
    later = active(vera)
    running(later, 300)
    breached_long = active(vera)
    running(breached_long, -240, state="breached", kind="first_response")
    breached_recent = active(vera)
    running(breached_recent, -3, state="breached")
    overdue_not_yet_evaluated = active(vera)
    running(overdue_not_yet_evaluated, -60)
    paused = active(vera, status="on_hold", minutes_ago=2000)
    running(paused, 30, state="paused")
    items = list_my_requests(assignee=vera)
    assert [item.request_id for item in items] == [
        breached_long.pk,
        overdue_not_yet_evaluated.pk,
        breached_recent.pk,
        soon.pk,
        later.pk,
        paused.pk,
        no_sla_old.pk,
        no_sla_new.pk,
    ]
    states = {item.request_id: item.sla and item.sla.state for item in items}
    assert states[overdue_not_yet_evaluated.pk] == "breached"
    assert states[paused.pk] == "paused"
    assert states[no_sla_new.pk] is None


def test_summary_item_shows_the_latest_ticket_and_no_text(vera) -> None:
    customer_request = active(vera)
    TicketFactory(request=customer_request, external_key="REQ-1", url="https://t/1")
    newest = TicketFactory(request=customer_request, external_key="REQ-2", url="")
    [item] = list_my_requests(assignee=vera)
    assert (item.ticket_key, item.ticket_url) == (newest.external_key, None)
    assert customer_request.root_message.text not in repr(item)


def test_summary_costs_the_same_queries_for_5_or_50_requests(
    vera, django_assert_num_queries
) -> None:
    def fill(count: int) -> None:
        for number in range(count):
            customer_request = active(vera)
            running(customer_request, number - 10)
            TicketFactory(request=customer_request)

    fill(5)
    with django_assert_num_queries(4):
        small = get_my_summary(assignee=vera)
    fill(45)
    with django_assert_num_queries(4):
        large = get_my_summary(assignee=vera)
    assert (small.total, len(small.items)) == (5, 5)
    assert (large.total, len(large.items), large.has_next) == (50, 20, True)


def test_summary_pages(vera) -> None:
    for _ in range(45):
        active(vera)
    pages = [get_my_summary(assignee=vera, page=page) for page in (1, 2, 3, 99)]
    assert [len(page.items) for page in pages] == [20, 20, 5, 5]
    assert [page.page for page in pages] == [1, 2, 3, 3]
    assert not pages[2].has_next


def test_team_counts(vera, workspace) -> None:
    breached = active(vera)
    running(breached, -5, state="breached")
    active(SlackUserFactory(workspace=workspace))
    unassigned = active(vera, status="open")
    unassigned.assignee = None
    unassigned.save(update_fields=["assignee"])
    active(vera, status="closed", closed_at=timezone.now())
    RequestFactory(
        root_message__channel=ChannelFactory(workspace=WorkspaceFactory(team_id="T0OTHER"))
    )
    counts = get_team_counts(workspace=workspace)
    assert (counts.open, counts.breached, counts.unassigned) == (3, 1, 1)


def test_request_of_a_customer_message(vera) -> None:
    customer_request = active(vera)
    reply = MessageFactory(
        channel=customer_request.channel,
        request=customer_request,
        thread_ts=customer_request.root_message.ts,
    )
    found = get_request_of_customer_message(channel_id=customer_request.channel_id, ts=reply.ts)
    assert found == customer_request
    assert (
        get_request_of_customer_message(channel_id=customer_request.channel_id, ts="1.000") is None
    )
