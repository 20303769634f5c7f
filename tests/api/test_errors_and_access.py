"""The error shape, authentication, throttling and role rules shared by every endpoint."""

import pytest
from rest_framework.exceptions import ErrorDetail
from rest_framework.throttling import UserRateThrottle

from tests.api.conftest import error_of, token_client
from thena.api import flatten_errors

pytestmark = pytest.mark.django_db


def test_unauthenticated_call_gets_401_with_token_challenge(anon_api):
    response = anon_api.get("/api/v1/requests/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert error_of(response) == {
        "code": "not_authenticated",
        "message": "Authentication credentials were not provided.",
        "fields": {},
    }


def test_unknown_token_gets_401(anon_api):
    anon_api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = anon_api.get("/api/v1/workspaces/")

    assert response.status_code == 401
    assert error_of(response)["code"] == "authentication_failed"


def test_a_user_without_membership_sees_nothing(db, django_user_model, workspace):
    api = token_client(django_user_model.objects.create_user("stranger"))

    listing = api.get("/api/v1/workspaces/")
    detail = api.get(f"/api/v1/workspaces/{workspace.pk}/")

    assert listing.json()["results"] == []
    assert detail.status_code == 404


def test_a_superuser_sees_every_workspace(db, django_user_model, workspace, other_workspace):
    api = token_client(django_user_model.objects.create_superuser("root", password=None))

    response = api.get("/api/v1/workspaces/")

    assert {item["team_id"] for item in response.json()["results"]} == {"T0001", "T0OTHER"}
    assert {item["role"] for item in response.json()["results"]} == {"admin"}


def test_session_login_works_too(client, django_user_model, workspace):
    user = django_user_model.objects.create_user("lead")
    user.workspace_memberships.create(workspace=workspace, role="read_only")
    client.force_login(user)

    response = client.get("/api/v1/workspaces/")

    assert response.status_code == 200
    assert response.json()["results"][0]["role"] == "read_only"


def test_unsupported_method_is_405_in_the_error_shape(agent_api, make_request):
    customer_request = make_request()

    response = agent_api.delete(f"/api/v1/requests/{customer_request.pk}/")

    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"


def test_malformed_json_is_a_400(admin_api):
    response = admin_api.post("/api/v1/channels/", "{not json", content_type="application/json")

    assert response.status_code == 400
    assert error_of(response)["code"] == "parse_error"


def test_throttled_caller_gets_429_with_retry_after(agent_api, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "2/min", "anon": "2/min"})

    statuses = [agent_api.get("/api/v1/workspaces/").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    response = agent_api.get("/api/v1/workspaces/")
    assert error_of(response)["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_nested_validation_errors_are_flattened_to_dotted_names():
    detail = {
        "weekly_hours": {"mon": [ErrorDetail("Expected a list.")]},
        "holidays": {0: [ErrorDetail("Bad date.")]},
        "name": [ErrorDetail("Required.")],
    }

    assert flatten_errors(detail) == {
        "weekly_hours.mon": ["Expected a list."],
        "holidays.0": ["Bad date."],
        "name": ["Required."],
    }


def test_agent_cannot_change_configuration(agent_api, channel):
    response = agent_api.patch(f"/api/v1/channels/{channel.pk}/", {"is_monitored": False})

    assert response.status_code == 403
    assert error_of(response)["message"] == "Only workspace admins can change the configuration."
    channel.refresh_from_db()
    assert channel.is_monitored


def test_admin_of_one_workspace_cannot_create_in_another_they_only_read(
    make_member, workspace, other_workspace
):
    api = make_member("admin", workspace)
    api.user.workspace_memberships.create(workspace=other_workspace, role="read_only")

    response = api.post(
        "/api/v1/channels/", {"workspace": other_workspace.pk, "channel_id": "C0NEW"}
    )

    assert response.status_code == 403
