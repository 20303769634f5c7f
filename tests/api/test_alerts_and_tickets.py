"""/api/v1/alert-rules/, /alerts/ (with retry), /ticket-providers/ and /tickets/."""

import pytest
from django.db import connection

from alerts.tests.factories import AlertFactory, AlertRuleFactory
from tests.api.conftest import error_of
from tickets.models import TicketProvider
from tickets.tests.factories import TicketFactory, TicketProviderFactory

pytestmark = pytest.mark.django_db

SECRET = "jira-api-token-s3cr3t"


def test_admin_creates_and_filters_alert_rules(admin_api, workspace, channel):
    created = admin_api.post(
        "/api/v1/alert-rules/",
        {
            "workspace": workspace.pk,
            "event": "first_response_breached",
            "scope": "channel",
            "channel": channel.pk,
            "destination": "C0TRIAGE",
        },
    )
    AlertRuleFactory(workspace=workspace, event="request_detected")

    listing = admin_api.get("/api/v1/alert-rules/?event=first_response_breached")

    assert created.status_code == 201, created.content
    assert [item["id"] for item in listing.json()["results"]] == [created.json()["id"]]


def test_alert_rule_validation_names_the_field(admin_api, workspace):
    response = admin_api.post(
        "/api/v1/alert-rules/",
        {
            "workspace": workspace.pk,
            "event": "request_detected",
            "scope": "channel",
            "destination": "#triage",
        },
    )

    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"destination"}


def test_alert_rule_scope_without_channel_names_channel(admin_api, workspace):
    response = admin_api.post(
        "/api/v1/alert-rules/",
        {
            "workspace": workspace.pk,
            "event": "request_detected",
            "scope": "channel",
            "destination": "C0TRIAGE",
        },
    )

    assert error_of(response)["fields"] == {"channel": ["A channel rule names a channel only."]}


def test_agent_cannot_change_alert_rules(agent_api, workspace):
    rule = AlertRuleFactory(workspace=workspace)

    response = agent_api.patch(f"/api/v1/alert-rules/{rule.pk}/", {"is_enabled": False})

    assert response.status_code == 403


def test_alerts_are_listed_newest_first_with_cursor(agent_api, make_request):
    customer_request = make_request()
    first = AlertFactory(request=customer_request, destination="C0ONE")
    second = AlertFactory(request=customer_request, destination="C0TWO")
    second.rules.add(AlertRuleFactory(workspace=customer_request.workspace))

    page = agent_api.get("/api/v1/alerts/?page_size=1")
    following = agent_api.get(page.json()["next"])

    assert [item["id"] for item in page.json()["results"]] == [second.pk]
    assert page.json()["results"][0]["rules"] == list(second.rules.values_list("pk", flat=True))
    assert [item["id"] for item in following.json()["results"]] == [first.pk]


def test_retry_requeues_a_failed_alert(agent_api, make_request, settings):
    settings.ALERT_DELIVERY_BACKEND = "locmem"
    alert = AlertFactory(request=make_request(), status="gave_up", attempts=8, last_error="boom")

    response = agent_api.post(f"/api/v1/alerts/{alert.pk}/retry/")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "pending"
    assert response.json()["attempts"] == 0


def test_retry_of_a_sent_alert_is_a_conflict(agent_api, make_request):
    alert = AlertFactory(request=make_request(), status="pending")

    response = agent_api.post(f"/api/v1/alerts/{alert.pk}/retry/")

    assert response.status_code == 409
    assert error_of(response)["code"] == "alert_not_retryable"


def test_read_only_member_cannot_retry(reader_api, make_request):
    alert = AlertFactory(request=make_request(), status="failed")

    assert reader_api.post(f"/api/v1/alerts/{alert.pk}/retry/").status_code == 403


def test_provider_credentials_are_stored_encrypted_and_never_returned(admin_api, workspace):
    created = admin_api.post(
        "/api/v1/ticket-providers/",
        {
            "workspace": workspace.pk,
            "name": "Jira",
            "kind": "jira",
            "base_url": "https://acme.atlassian.net",
            "project_key": "SUP",
            "credentials": SECRET,
        },
    )
    provider_id = created.json()["id"]
    detail = admin_api.get(f"/api/v1/ticket-providers/{provider_id}/")
    listing = admin_api.get("/api/v1/ticket-providers/")
    updated = admin_api.patch(f"/api/v1/ticket-providers/{provider_id}/", {"name": "Jira Cloud"})

    assert created.status_code == 201, created.content
    for response in (created, detail, listing, updated):
        assert SECRET.encode() not in response.content
        assert b"credentials" not in response.content.replace(b"has_credentials", b"")
    assert detail.json()["has_credentials"] is True
    assert TicketProvider.objects.get(pk=provider_id).credentials == SECRET  # kept on update
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT credentials FROM tickets_ticketprovider WHERE id = %s", [provider_id]
        )
        assert SECRET not in cursor.fetchone()[0]


def test_blank_credentials_remove_the_stored_one(admin_api, workspace):
    provider = TicketProviderFactory(workspace=workspace, credentials=SECRET)

    response = admin_api.patch(f"/api/v1/ticket-providers/{provider.pk}/", {"credentials": ""})

    assert response.json()["has_credentials"] is False


def test_second_default_provider_is_refused(admin_api, workspace):
    TicketProviderFactory(workspace=workspace, is_default=True)

    response = admin_api.post(
        "/api/v1/ticket-providers/",
        {"workspace": workspace.pk, "name": "Other", "kind": "internal", "is_default": True},
    )

    assert list(error_of(response)["fields"]) == ["is_default"]


def test_provider_with_tickets_cannot_be_deleted(admin_api, make_request, workspace):
    ticket = TicketFactory(request=make_request(), provider__workspace=workspace)

    response = admin_api.delete(f"/api/v1/ticket-providers/{ticket.provider_id}/")

    assert response.status_code == 409


def test_tickets_are_read_only_and_scoped(reader_api, make_request, workspace, other_workspace):
    mine = TicketFactory(request=make_request(), provider__workspace=workspace)
    TicketFactory(provider__workspace=other_workspace)

    listing = reader_api.get("/api/v1/tickets/")
    detail = reader_api.get(f"/api/v1/tickets/{mine.pk}/")

    assert [item["id"] for item in listing.json()["results"]] == [mine.pk]
    assert detail.json()["workspace"] == workspace.pk
    assert reader_api.post("/api/v1/tickets/", {}).status_code == 405
