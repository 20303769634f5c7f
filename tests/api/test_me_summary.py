"""GET /api/v1/me/summary: `/my summary` as JSON for the caller's linked Slack user."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sla.tests.factories import SLAClockFactory
from slack_integration.tests.factories import SlackUserFactory
from tests.api.conftest import error_of
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def test_lists_my_active_requests_most_urgent_first(agent_api, make_request, vera, workspace):
    relaxed = make_request(assignee=vera, status="in_progress")
    SLAClockFactory(request=relaxed, due_at=timezone.now() + timedelta(hours=5))
    urgent = make_request(assignee=vera, status="in_progress", customer="Gina Globex")
    SLAClockFactory(
        request=urgent,
        started_at=timezone.now() - timedelta(hours=1),
        due_at=timezone.now() - timedelta(minutes=5),
    )
    TicketFactory(request=urgent, provider__workspace=workspace, external_key="REQ-7")
    make_request(assignee=vera, status="closed", closed_at=timezone.now())
    make_request()  # not mine

    response = agent_api.get("/api/v1/me/summary")

    assert response.status_code == 200, response.content
    body = response.json()
    assert [item["request_id"] for item in body["items"]] == [urgent.pk, relaxed.pk]
    assert (body["total"], body["breached"], body["workspace"]) == (2, 1, workspace.pk)
    first = body["items"][0]
    assert first["customer"] == "Gina Globex"
    assert first["sla"]["state"] == "breached"
    assert first["sla"]["seconds_left"] < 0
    assert first["ticket_key"] == "REQ-7"
    assert "text" not in first


def test_pages_through_my_requests(agent_api, make_request, vera):
    for _ in range(3):
        make_request(assignee=vera, status="in_progress")

    body = agent_api.get("/api/v1/me/summary?page=2&page_size=2").json()

    assert (body["page"], body["page_count"], body["has_next"]) == (2, 2, False)
    assert len(body["items"]) == 1


def test_without_a_linked_slack_user_it_is_not_found(make_member, workspace):
    api = make_member("agent", workspace)

    response = api.get("/api/v1/me/summary")

    assert response.status_code == 404
    assert error_of(response)["code"] == "slack_user_not_linked"


def test_linked_in_two_workspaces_needs_the_workspace(agent_api, other_workspace, make_request):
    other_me = SlackUserFactory(workspace=other_workspace, user_id="U0VERA2")
    agent_api.user.workspace_memberships.create(
        workspace=other_workspace, role="agent", slack_user=other_me
    )

    ambiguous = agent_api.get("/api/v1/me/summary")
    chosen = agent_api.get(f"/api/v1/me/summary?workspace={other_workspace.pk}")

    assert ambiguous.status_code == 400
    assert list(error_of(ambiguous)["fields"]) == ["workspace"]
    assert chosen.status_code == 200
    assert chosen.json()["workspace"] == other_workspace.pk


def test_a_workspace_i_am_not_in_is_not_found(agent_api, other_workspace):
    response = agent_api.get(f"/api/v1/me/summary?workspace={other_workspace.pk}")

    assert response.status_code == 404
    assert error_of(response)["code"] == "workspace_not_found"


def test_summary_query_count_is_bounded(
    agent_api, make_request, vera, workspace, django_assert_max_num_queries
):
    for _ in range(15):
        customer_request = make_request(assignee=vera, status="in_progress")
        SLAClockFactory(request=customer_request)
        TicketFactory(request=customer_request, provider__workspace=workspace)

    # Token, memberships, then the selector's header aggregate, page, clocks and tickets.
    with django_assert_max_num_queries(6):
        response = agent_api.get("/api/v1/me/summary")

    assert response.json()["total"] == 15
