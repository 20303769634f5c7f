"""/api/v1/requests/: list with filters, detail with timeline and clocks, and the actions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from requests_app.models import RequestEvent
from sla.tests.factories import SLAClockFactory
from slack_integration.tests.factories import ChannelFactory, SlackUserFactory
from tests.api.conftest import error_of
from tickets.tests.factories import TicketProviderFactory

pytestmark = pytest.mark.django_db


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def test_list_shows_requests_newest_first_with_their_facts(agent_api, make_request, vera):
    older = make_request(detected_at=timezone.now() - timedelta(hours=2))
    newer = make_request(assignee=vera, status="in_progress", text="please reset my password")

    response = agent_api.get("/api/v1/requests/")

    assert ids(response) == [newer.pk, older.pk]
    item = response.json()["results"][0]
    assert item["assignee"] == {"id": vera.pk, "user_id": "U0VERA", "label": "Vera Vendor"}
    assert item["channel"]["channel_id"] == "C0GLOBEX"
    assert item["status"] == "in_progress"
    assert item["excerpt"] == "please reset my password"
    assert item["permalink"].startswith("https://acme.slack.com/archives/C0GLOBEX/p")
    assert item["sla_state"] == "none"


def test_list_never_shows_another_workspaces_requests(agent_api, make_request, other_workspace):
    mine = make_request()
    foreign_channel = ChannelFactory(workspace=other_workspace)
    make_request(channel=foreign_channel)

    assert ids(agent_api.get("/api/v1/requests/")) == [mine.pk]


def test_another_workspaces_request_is_not_found(agent_api, make_request, other_workspace):
    foreign = make_request(channel=ChannelFactory(workspace=other_workspace))

    response = agent_api.get(f"/api/v1/requests/{foreign.pk}/")
    close = agent_api.post(f"/api/v1/requests/{foreign.pk}/close/")

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert close.status_code == 404


def test_filters_by_status_assignee_channel_and_segment(agent_api, make_request, vera, workspace):
    partner_channel = ChannelFactory(workspace=workspace, channel_id="C0PART", segment="partner")
    assigned = make_request(assignee=vera, status="in_progress")
    unassigned = make_request()
    partner = make_request(channel=partner_channel, status="closed", closed_at=timezone.now())

    assert ids(agent_api.get("/api/v1/requests/?status=in_progress")) == [assigned.pk]
    assert set(ids(agent_api.get("/api/v1/requests/?status=open&status=closed"))) == {
        unassigned.pk,
        partner.pk,
    }
    assert ids(agent_api.get("/api/v1/requests/?assignee=U0VERA")) == [assigned.pk]
    assert set(ids(agent_api.get("/api/v1/requests/?assignee=none"))) == {
        unassigned.pk,
        partner.pk,
    }
    assert ids(agent_api.get("/api/v1/requests/?channel=C0PART")) == [partner.pk]
    assert ids(agent_api.get("/api/v1/requests/?segment=partner")) == [partner.pk]


def test_filters_by_sla_state_from_the_clocks(agent_api, make_request):
    now = timezone.now()
    breached = make_request()
    SLAClockFactory(request=breached, state="breached", breached_at=now)
    overdue = make_request()  # running but past due: breached before the evaluator runs
    SLAClockFactory(request=overdue, started_at=now - timedelta(hours=2))
    at_risk = make_request()
    SLAClockFactory(request=at_risk, started_at=now - timedelta(minutes=25), warned_at=now)
    fine = make_request()
    SLAClockFactory(request=fine)
    without = make_request()

    def states(value: str) -> set[int]:
        return set(ids(agent_api.get(f"/api/v1/requests/?sla_state={value}")))

    assert states("breached") == {breached.pk, overdue.pk}
    assert states("at_risk") == {at_risk.pk}
    assert states("ok") == {fine.pk}
    assert states("none") == {without.pk}


def test_filters_by_detection_time_and_text(agent_api, make_request):
    now = timezone.now()
    old = make_request(detected_at=now - timedelta(days=3), text="invoice is wrong")
    recent = make_request(detected_at=now - timedelta(hours=1), customer="Hank Hooli")

    after = (now - timedelta(days=1)).isoformat()
    before = (now - timedelta(days=1)).isoformat()
    assert ids(agent_api.get("/api/v1/requests/", {"detected_after": after})) == [recent.pk]
    assert ids(agent_api.get("/api/v1/requests/", {"detected_before": before})) == [old.pk]
    assert ids(agent_api.get("/api/v1/requests/?q=INVOICE")) == [old.pk]
    assert ids(agent_api.get("/api/v1/requests/?q=hooli")) == [recent.pk]


def test_orders_oldest_first_on_request(agent_api, make_request):
    first = make_request(detected_at=timezone.now() - timedelta(hours=1))
    second = make_request()

    assert ids(agent_api.get("/api/v1/requests/?ordering=detected_at")) == [first.pk, second.pk]


def test_cursor_pagination_walks_every_request_once(agent_api, make_request):
    now = timezone.now()
    created = [make_request(detected_at=now - timedelta(minutes=n)) for n in range(5)]

    seen, url = [], "/api/v1/requests/?page_size=2"
    while url:
        response = agent_api.get(url)
        seen += ids(response)
        url = response.json()["next"]

    assert seen == [item.pk for item in created]


def test_invalid_filter_value_is_a_field_error(agent_api):
    response = agent_api.get("/api/v1/requests/?sla_state=late&status=bogus")

    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"sla_state", "status"}


def test_list_query_count_does_not_grow_with_requests(
    agent_api, make_request, vera, django_assert_max_num_queries
):
    for _ in range(25):
        make_request(assignee=vera, status="in_progress")

    # Token, memberships, the page (requests with channel, people, message, SLA state).
    with django_assert_max_num_queries(4):
        response = agent_api.get("/api/v1/requests/")

    assert len(response.json()["results"]) == 25


def test_detail_has_text_timeline_clocks_and_tickets(agent_api, make_request, vera):
    customer_request = make_request(text="export broken")
    RequestEvent.objects.create(
        request=customer_request, kind="detected", at=timezone.now(), source="system"
    )
    SLAClockFactory(request=customer_request, policy_snapshot={"name": "default"})
    agent_api.post(f"/api/v1/requests/{customer_request.pk}/create-ticket/", {"title": "Export"})

    response = agent_api.get(f"/api/v1/requests/{customer_request.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["text"] == "export broken"
    assert [event["kind"] for event in body["timeline"]] == ["detected", "ticket_created"]
    assert body["sla_clocks"][0]["kind"] == "first_response"
    assert body["sla_clocks"][0]["policy_name"] == "default"
    assert body["tickets"][0]["title"] == "Export"


def test_assign_acts_as_the_linked_slack_user_from_the_api(agent_api, make_request, workspace):
    customer_request = make_request()
    SlackUserFactory(workspace=workspace, user_id="U0SAM", real_name="Sam Support")

    response = agent_api.post(
        f"/api/v1/requests/{customer_request.pk}/assign/", {"assignee": "U0SAM"}
    )

    assert response.status_code == 200, response.content
    assert response.json()["assignee"]["user_id"] == "U0SAM"
    assert response.json()["status"] == "in_progress"
    event = customer_request.events.get(kind="assigned")
    assert event.source == "api"
    assert event.actor.user_id == "U0VERA"
    assert event.actor_user == agent_api.user


def test_assign_to_unknown_or_customer_user_names_the_field(agent_api, make_request):
    customer_request = make_request()

    unknown = agent_api.post(
        f"/api/v1/requests/{customer_request.pk}/assign/", {"assignee": "U0NOBODY"}
    )
    customer = agent_api.post(
        f"/api/v1/requests/{customer_request.pk}/assign/",
        {"assignee": customer_request.customer.user_id},
    )

    assert unknown.status_code == 400
    assert "assignee" in error_of(unknown)["fields"]
    assert customer.status_code == 400
    assert "not a member of the support team" in error_of(customer)["fields"]["assignee"][0]


def test_close_then_close_again_is_a_conflict(agent_api, make_request):
    customer_request = make_request()

    closed = agent_api.post(f"/api/v1/requests/{customer_request.pk}/close/")
    again = agent_api.post(f"/api/v1/requests/{customer_request.pk}/close/")

    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert again.status_code == 409
    assert error_of(again)["code"] == "request_state"


def test_discard_hold_and_reopen(agent_api, make_request):
    held = make_request()
    discarded = make_request()

    hold = agent_api.post(f"/api/v1/requests/{held.pk}/hold/")
    discard = agent_api.post(f"/api/v1/requests/{discarded.pk}/discard/")
    reopen = agent_api.post(f"/api/v1/requests/{discarded.pk}/reopen/", {"reason": "mistake"})

    assert hold.json()["status"] == "on_hold"
    assert discard.json()["status"] == "discarded"
    assert reopen.status_code == 200
    assert reopen.json()["status"] == "open"
    assert discarded.events.get(kind="reopened").detail == {"reason": "mistake"}


@pytest.mark.parametrize(
    ("action", "body", "status", "event_kind"),
    [
        ("assign", {"assignee": "U0VERA"}, 200, "assigned"),
        ("close", {}, 200, "closed"),
        ("discard", {}, 200, "discarded"),
        ("hold", {}, 200, "status_changed"),
        ("create-ticket", {"title": "Export"}, 201, "ticket_created"),
    ],
)
def test_actions_work_for_a_member_without_a_slack_user(
    make_member, workspace, make_request, vera, action, body, status, event_kind
):
    api = make_member("agent", workspace)
    customer_request = make_request()

    response = api.post(f"/api/v1/requests/{customer_request.pk}/{action}/", body)

    assert response.status_code == status, response.content
    event = customer_request.events.get(kind=event_kind)
    assert (event.actor, event.actor_user, event.source) == (None, api.user, "api")


def test_timeline_names_the_django_user_of_an_api_action(make_member, workspace, make_request):
    api = make_member("agent", workspace)
    customer_request = make_request()

    response = api.post(f"/api/v1/requests/{customer_request.pk}/close/")

    assert response.json()["timeline"][-1]["actor_username"] == api.user.username


def test_read_only_member_cannot_act(reader_api, make_request):
    customer_request = make_request()

    read = reader_api.get(f"/api/v1/requests/{customer_request.pk}/")
    close = reader_api.post(f"/api/v1/requests/{customer_request.pk}/close/")

    assert read.status_code == 200
    assert close.status_code == 403
    assert error_of(close)["code"] == "permission_denied"
    customer_request.refresh_from_db()
    assert customer_request.status == "open"


def test_create_ticket_in_the_default_provider(agent_api, make_request):
    customer_request = make_request()

    response = agent_api.post(
        f"/api/v1/requests/{customer_request.pk}/create-ticket/",
        {"title": "CSV export fails", "description": "since 9am", "priority": "high"},
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["external_key"] == "REQ-1"
    assert body["priority"] == "high"
    assert body["provider"]["kind"] == "internal"
    assert body["created_by"]["user_id"] == "U0VERA"
    assert customer_request.events.filter(kind="ticket_created", source="api").exists()


def test_create_ticket_rejects_another_workspaces_provider(
    agent_api, make_request, other_workspace
):
    customer_request = make_request()
    foreign = TicketProviderFactory(workspace=other_workspace)

    response = agent_api.post(
        f"/api/v1/requests/{customer_request.pk}/create-ticket/",
        {"title": "x", "provider": foreign.pk},
    )

    assert response.status_code == 400
    assert list(error_of(response)["fields"]) == ["provider"]


def test_create_ticket_needs_a_title(agent_api, make_request):
    customer_request = make_request()

    response = agent_api.post(f"/api/v1/requests/{customer_request.pk}/create-ticket/", {})

    assert response.status_code == 400
    assert error_of(response)["fields"] == {"title": ["This field is required."]}


def test_private_channel_text_is_never_returned_or_searchable(agent_api, make_request, workspace):
    private = ChannelFactory(workspace=workspace, channel_id="G0PRIV", is_private=True)
    hidden = make_request(channel=private, text="payroll for ACME-SECRET is wrong")

    listing = agent_api.get("/api/v1/requests/")
    detail = agent_api.get(f"/api/v1/requests/{hidden.pk}/")
    search = agent_api.get("/api/v1/requests/", {"q": "ACME-SECRET"})

    assert listing.json()["results"][0]["excerpt"] is None
    assert detail.json()["text"] is None
    assert detail.json()["permalink"].endswith(hidden.root_message.ts.replace(".", ""))
    assert ids(search) == []
    for response in (listing, detail, search):
        assert b"ACME-SECRET" not in response.content
