"""/api/v1/sla-policies/, /calendars/ and /sla-clocks/."""

import pytest

from sla.models import SLAPolicy
from sla.tests.factories import BusinessHoursCalendarFactory, SLAClockFactory, SLAPolicyFactory
from slack_integration.tests.factories import ChannelFactory
from tests.api.conftest import error_of

pytestmark = pytest.mark.django_db

HOURS = {"mon": ["09:00-12:00", "13:00-17:30"], "fri": ["09:00-16:00"]}


def policy_body(workspace, **fields) -> dict:
    return {
        "workspace": workspace.pk,
        "name": "default",
        "scope": "global",
        "first_response_minutes": 60,
        "resolution_minutes": 2880,
        **fields,
    }


def test_admin_creates_and_lists_a_policy(admin_api, workspace):
    created = admin_api.post("/api/v1/sla-policies/", policy_body(workspace))
    listing = admin_api.get("/api/v1/sla-policies/?scope=global")

    assert created.status_code == 201, created.content
    assert created.json()["first_response_minutes"] == 60
    assert [item["name"] for item in listing.json()["results"]] == ["default"]


def test_first_response_minutes_below_30_is_a_field_error(admin_api, workspace):
    response = admin_api.post(
        "/api/v1/sla-policies/", policy_body(workspace, first_response_minutes=20)
    )

    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert error["fields"] == {
        "first_response_minutes": ["Ensure this value is greater than or equal to 30."]
    }
    assert error["message"].startswith("first_response_minutes: ")


def test_first_response_minutes_above_48_hours_is_a_field_error(admin_api, workspace):
    response = admin_api.post(
        "/api/v1/sla-policies/", policy_body(workspace, first_response_minutes=2881)
    )

    assert list(error_of(response)["fields"]) == ["first_response_minutes"]


def test_scope_and_target_must_agree(admin_api, workspace):
    segment_without_segment = admin_api.post(
        "/api/v1/sla-policies/", policy_body(workspace, scope="segment")
    )
    global_with_segment = admin_api.post(
        "/api/v1/sla-policies/", policy_body(workspace, segment="partner")
    )

    assert error_of(segment_without_segment)["fields"] == {
        "segment": ["A segment policy names a segment and no channel."]
    }
    assert list(error_of(global_with_segment)["fields"]) == ["segment"]


def test_a_channel_policy_needs_a_channel_of_the_same_workspace(
    make_member, workspace, other_workspace
):
    api = make_member("admin", workspace)
    api.user.workspace_memberships.create(workspace=other_workspace, role="admin")
    foreign = ChannelFactory(workspace=other_workspace)

    response = api.post(
        "/api/v1/sla-policies/", policy_body(workspace, scope="channel", channel=foreign.pk)
    )

    assert response.status_code == 400
    assert error_of(response)["fields"] == {"channel": ["It belongs to another workspace."]}


def test_second_enabled_global_policy_is_refused(admin_api, workspace):
    SLAPolicyFactory(workspace=workspace, name="existing")

    response = admin_api.post("/api/v1/sla-policies/", policy_body(workspace))
    disabled = admin_api.post(
        "/api/v1/sla-policies/", policy_body(workspace, name="spare", is_enabled=False)
    )

    assert response.status_code == 400
    assert list(error_of(response)["fields"]) == ["is_enabled"]
    assert disabled.status_code == 201


def test_duplicate_policy_name_names_the_field(admin_api, workspace):
    SLAPolicyFactory(workspace=workspace, name="default", is_enabled=False)

    response = admin_api.post("/api/v1/sla-policies/", policy_body(workspace))

    assert list(error_of(response)["fields"]) == ["name"]


def test_partial_update_keeps_the_rest(admin_api, workspace):
    policy = SLAPolicyFactory(workspace=workspace, scope="segment", segment="partner")

    response = admin_api.patch(
        f"/api/v1/sla-policies/{policy.pk}/", {"first_response_minutes": 240}
    )

    assert response.status_code == 200, response.content
    policy.refresh_from_db()
    assert (policy.first_response_minutes, policy.segment) == (240, "partner")


def test_agent_and_reader_cannot_change_policies(agent_api, reader_api, workspace):
    policy = SLAPolicyFactory(workspace=workspace)

    assert agent_api.post("/api/v1/sla-policies/", policy_body(workspace)).status_code == 403
    assert reader_api.delete(f"/api/v1/sla-policies/{policy.pk}/").status_code == 403
    assert reader_api.get(f"/api/v1/sla-policies/{policy.pk}/").status_code == 200
    assert SLAPolicy.objects.filter(pk=policy.pk).exists()


def test_admin_creates_a_calendar(admin_api, workspace):
    response = admin_api.post(
        "/api/v1/calendars/",
        {
            "workspace": workspace.pk,
            "name": "berlin",
            "timezone": "Europe/Berlin",
            "weekly_hours": HOURS,
            "holidays": ["2026-12-25", "2026-12-24"],
            "country": "DE",
            "subdivision": "BE",
        },
    )

    assert response.status_code == 201, response.content
    assert response.json()["holidays"] == ["2026-12-24", "2026-12-25"]


@pytest.mark.parametrize(
    ("fields", "bad_field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"weekly_hours": {"mon": ["17:00-09:00"]}}, "weekly_hours"),
        ({"weekly_hours": {"someday": ["09:00-17:00"]}}, "weekly_hours"),
        ({"weekly_hours": {"mon": "09:00-17:00"}}, "weekly_hours.mon"),
        ({"holidays": ["2026-13-40"]}, "holidays"),
        ({"country": "XX"}, "country"),
        ({"country": "DE", "subdivision": "ZZ"}, "subdivision"),
    ],
)
def test_invalid_calendar_names_the_field(admin_api, workspace, fields, bad_field):
    body = {"workspace": workspace.pk, "name": "c", "timezone": "UTC", "weekly_hours": HOURS}

    response = admin_api.post("/api/v1/calendars/", {**body, **fields})

    assert response.status_code == 400
    assert list(error_of(response)["fields"]) == [bad_field]


def test_calendar_used_by_a_policy_cannot_be_deleted(admin_api, workspace):
    calendar = BusinessHoursCalendarFactory(workspace=workspace)
    SLAPolicyFactory(workspace=workspace, calendar=calendar)

    response = admin_api.delete(f"/api/v1/calendars/{calendar.pk}/")

    assert response.status_code == 409
    assert error_of(response)["code"] == "calendar_in_use"


def test_clocks_are_listed_for_members_only(reader_api, make_request, other_workspace):
    clock = SLAClockFactory(request=make_request(), policy_snapshot={"name": "default"})
    foreign = SLAClockFactory(request__root_message__channel__workspace=other_workspace)

    listing = reader_api.get("/api/v1/sla-clocks/?kind=first_response")
    hidden = reader_api.get(f"/api/v1/sla-clocks/{foreign.pk}/")

    assert [item["id"] for item in listing.json()["results"]] == [clock.pk]
    assert listing.json()["results"][0]["policy_name"] == "default"
    assert hidden.status_code == 404
