"""/api/v1/workspaces/, /channels/ and /slack-users/: plain configuration."""

import pytest

from requests_app.tests.factories import MessageFactory
from slack_integration.tests.factories import ChannelFactory, CustomerFactory
from tests.api.conftest import error_of

pytestmark = pytest.mark.django_db


def test_workspace_settings_are_shown_without_the_bot_token(admin_api, workspace):
    response = admin_api.get(f"/api/v1/workspaces/{workspace.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["team_id"] == "T0001"
    assert body["has_bot_token"] is True
    assert body["role"] == "admin"
    assert "bot_token" not in body
    assert b"xoxb-" not in response.content


def test_admin_updates_workspace_settings(admin_api, workspace):
    response = admin_api.patch(
        f"/api/v1/workspaces/{workspace.pk}/",
        {
            "timezone": "Europe/Berlin",
            "detection_strictness": "conservative",
            "request_reaction": ":ticket:",
            "internal_email_domains": ["@Acme.example", "acme.example"],
            "team_id": "T0HACK",
        },
    )

    assert response.status_code == 200, response.content
    workspace.refresh_from_db()
    assert workspace.timezone == "Europe/Berlin"
    assert workspace.detection_strictness == "conservative"
    assert workspace.request_reaction == "ticket"
    assert workspace.internal_email_domains == ["acme.example"]
    assert workspace.team_id == "T0001"  # read-only


def test_workspace_validation_names_the_fields(admin_api, workspace):
    response = admin_api.patch(
        f"/api/v1/workspaces/{workspace.pk}/",
        {"timezone": "Mars/Olympus", "grouping_window_seconds": 99999},
    )

    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"timezone", "grouping_window_seconds"}


def test_agent_cannot_change_workspace_settings(agent_api, workspace):
    response = agent_api.patch(f"/api/v1/workspaces/{workspace.pk}/", {"name": "Hijacked"})

    assert response.status_code == 403


def test_workspaces_cannot_be_created_through_the_api(admin_api):
    assert admin_api.post("/api/v1/workspaces/", {"team_id": "T0NEW"}).status_code == 405


def test_channels_filter_by_segment_monitoring_and_privacy(reader_api, workspace):
    customer = ChannelFactory(workspace=workspace, channel_id="C0CUST", segment="customer")
    ChannelFactory(workspace=workspace, channel_id="C0PART", segment="partner")
    private = ChannelFactory(
        workspace=workspace, channel_id="C0PRIV", is_private=True, is_monitored=False
    )

    def channel_ids(query: str) -> set[str]:
        response = reader_api.get(f"/api/v1/channels/?{query}")
        return {item["channel_id"] for item in response.json()["results"]}

    assert channel_ids("segment=customer") == {customer.channel_id, private.channel_id}
    assert channel_ids("is_monitored=false") == {"C0PRIV"}
    assert channel_ids("is_private=true") == {"C0PRIV"}
    assert channel_ids("q=part") == {"C0PART"}


def test_admin_creates_updates_and_deletes_a_channel(admin_api, workspace):
    created = admin_api.post(
        "/api/v1/channels/",
        {"workspace": workspace.pk, "channel_id": "C0NEW", "name": "new", "segment": "prospect"},
    )
    assert created.status_code == 201, created.content
    channel_id = created.json()["id"]

    updated = admin_api.patch(f"/api/v1/channels/{channel_id}/", {"is_monitored": False})
    deleted = admin_api.delete(f"/api/v1/channels/{channel_id}/")

    assert updated.json()["is_monitored"] is False
    assert deleted.status_code == 204


def test_duplicate_channel_id_names_the_field(admin_api, channel, workspace):
    response = admin_api.post(
        "/api/v1/channels/", {"workspace": workspace.pk, "channel_id": channel.channel_id}
    )

    assert response.status_code == 400
    assert list(error_of(response)["fields"]) == ["channel_id"]


def test_channel_with_history_cannot_be_deleted(admin_api, channel):
    MessageFactory(channel=channel)

    response = admin_api.delete(f"/api/v1/channels/{channel.pk}/")

    assert response.status_code == 409
    assert error_of(response)["code"] == "channel_has_history"


def test_channel_cannot_be_created_in_a_workspace_you_cannot_see(admin_api, other_workspace):
    response = admin_api.post(
        "/api/v1/channels/", {"workspace": other_workspace.pk, "channel_id": "C0X"}
    )

    assert response.status_code == 400
    assert list(error_of(response)["fields"]) == ["workspace"]


def test_slack_users_list_and_side_override(admin_api, workspace, vera):
    customer = CustomerFactory(workspace=workspace, user_id="U0GINA", real_name="Gina")

    listing = admin_api.get("/api/v1/slack-users/?is_external=true")
    patched = admin_api.patch(
        f"/api/v1/slack-users/{customer.pk}/", {"side_override": "internal", "email": "x@y.z"}
    )

    assert [item["user_id"] for item in listing.json()["results"]] == ["U0GINA"]
    assert patched.status_code == 200
    assert patched.json()["side"] == "internal"
    customer.refresh_from_db()
    assert customer.side_override == "internal"
    assert customer.email == ""  # only side_override is writable


def test_slack_users_cannot_be_replaced_wholesale(admin_api, vera):
    assert admin_api.put(f"/api/v1/slack-users/{vera.pk}/", {}).status_code == 405
