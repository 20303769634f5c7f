"""GET /api/v1/reports/sla and the report maths, against hand-computed figures.

The data (workspace in Europe/Berlin, UTC+1 in early March 2026), times local:

=====  =========  ===============  ========  ==========  =====================  ==========
req    channel    asked (=detect)  answered  closed      clocks FR / RES        assignee
=====  =========  ===============  ========  ==========  =====================  ==========
r1     A cust.    Mon 02 09:00     +10 min   +120 min    met / met              Vera
r2     A cust.    Tue 03 00:30 *   +40 min   open        breached / running     Vera
r3     B partner  Tue 03 10:00     +20 min   +300 min    met / breached         —
r4     B partner  Tue 03 11:00     —         open        running / running      —
=====  =========  ===============  ========  ==========  =====================  ==========

``*`` is still Monday in UTC. Left out: a discarded request on Monday, a request at Sunday
23:30 and one at Wednesday 00:30 local (both inside the period in UTC).
"""

import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from requests_app.reports import ClockRow, ReportRow, attainment_percent, percentile, summarise
from sla.tests.factories import SLAClockFactory
from slack_integration.tests.factories import ChannelFactory, SlackUserFactory
from tests.api.conftest import error_of

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
PERIOD = {"from": "2026-03-02", "to": "2026-03-03"}


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


@pytest.fixture
def report_data(workspace, make_request, vera):
    workspace.timezone = "Europe/Berlin"
    workspace.save(update_fields=["timezone"])
    channel_a = ChannelFactory(workspace=workspace, channel_id="C0AAA", name="globex")
    channel_b = ChannelFactory(
        workspace=workspace, channel_id="C0BBB", name="partners", segment="partner"
    )

    def request(channel, asked, *, answered=None, closed=None, clocks=(), **fields):
        customer_request = make_request(
            channel=channel,
            posted_at=asked,
            detected_at=asked,
            first_response_at=asked + timedelta(minutes=answered) if answered else None,
            closed_at=asked + timedelta(minutes=closed) if closed else None,
            status=fields.pop("status", "closed" if closed else "in_progress"),
            **fields,
        )
        for kind, state in clocks:
            SLAClockFactory(request=customer_request, kind=kind, state=state, started_at=asked)
        return customer_request

    fr, res = "first_response", "resolution"
    request(
        channel_a,
        local(2, 9),
        answered=10,
        closed=120,
        clocks=[(fr, "met"), (res, "met")],
        assignee=vera,
    )
    request(
        channel_a,
        local(3, 0, 30),
        answered=40,
        clocks=[(fr, "breached"), (res, "running")],
        assignee=vera,
    )
    request(
        channel_b, local(3, 10), answered=20, closed=300, clocks=[(fr, "met"), (res, "breached")]
    )
    request(channel_b, local(3, 11), clocks=[(fr, "running"), (res, "running")])
    request(channel_a, local(2, 12), status="discarded", clocks=[(fr, "cancelled")])
    request(channel_a, local(1, 23, 30), answered=5, clocks=[(fr, "met")])
    request(channel_a, local(4, 0, 30), clocks=[(fr, "breached")])


def figures(group: dict) -> tuple:
    return (
        group["requests"],
        group["first_response_attainment_percent"],
        group["first_response_median_minutes"],
        group["first_response_p90_minutes"],
        group["resolution_attainment_percent"],
        group["time_to_close_median_minutes"],
        group["breaches"],
    )


def report(api, workspace, **params):
    response = api.get("/api/v1/reports/sla", {"workspace": workspace.pk, **PERIOD, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_percentile_interpolates_between_ranks():
    assert percentile([10, 40], 50) == 25
    assert percentile([10, 40], 90) == pytest.approx(37)
    assert percentile([40, 10, 20], 90) == pytest.approx(36)
    assert percentile([1, 2, 3, 4], 90) == pytest.approx(3.7)
    assert percentile([7], 90) == 7
    assert percentile([], 50) is None


def test_attainment_counts_only_clocks_that_ended():
    assert attainment_percent(["met", "breached", "running", "cancelled", "paused"]) == 50
    assert attainment_percent(["met", "met", "breached"]) == pytest.approx(200 / 3)
    assert attainment_percent(["running"]) is None


def test_day_grouping_uses_the_given_zone():
    late_evening_utc = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)  # 00:30 on the 3rd in Berlin
    row = ReportRow(
        request_id=1,
        detected_at=late_evening_utc,
        asked_at=late_evening_utc,
        first_response_at=None,
        closed_at=None,
        channel_key="C1",
        channel_label="#c",
        segment="customer",
        assignee_key="",
        assignee_label="Unassigned",
        clocks=(ClockRow("first_response", "breached"),),
    )

    groups, totals = summarise([row], group_by="day", zone=BERLIN)

    assert [group.key for group in groups] == ["2026-03-03"]
    assert totals.breaches == 1


def test_report_by_channel(agent_api, workspace, report_data):
    body = report(agent_api, workspace, group_by="channel")

    assert body["timezone"] == "Europe/Berlin"
    assert (body["from"], body["to"], body["group_by"]) == ("2026-03-02", "2026-03-03", "channel")
    assert [(group["key"], group["label"]) for group in body["groups"]] == [
        ("C0AAA", "#globex"),
        ("C0BBB", "#partners"),
    ]
    assert figures(body["groups"][0]) == (2, 50.0, 25.0, 37.0, 100.0, 120.0, 1)
    assert figures(body["groups"][1]) == (2, 100.0, 20.0, 20.0, 0.0, 300.0, 1)
    assert figures(body["totals"]) == (4, 66.67, 20.0, 36.0, 50.0, 210.0, 2)


def test_report_by_day_in_the_workspace_time_zone(agent_api, workspace, report_data):
    body = report(agent_api, workspace, group_by="day")

    assert [group["key"] for group in body["groups"]] == ["2026-03-02", "2026-03-03"]
    assert figures(body["groups"][0]) == (1, 100.0, 10.0, 10.0, 100.0, 120.0, 0)
    assert figures(body["groups"][1]) == (3, 50.0, 30.0, 38.0, 0.0, 300.0, 2)


def test_report_by_assignee_and_segment(reader_api, workspace, report_data):
    by_assignee = report(reader_api, workspace, group_by="assignee")
    by_segment = report(reader_api, workspace, group_by="segment")

    assert [(group["key"], group["label"]) for group in by_assignee["groups"]] == [
        ("", "Unassigned"),
        ("U0VERA", "Vera Vendor"),
    ]
    assert figures(by_assignee["groups"][1]) == (2, 50.0, 25.0, 37.0, 100.0, 120.0, 1)
    assert [(group["key"], group["requests"]) for group in by_segment["groups"]] == [
        ("customer", 2),
        ("partner", 2),
    ]


def test_empty_period_has_no_groups_and_null_figures(agent_api, workspace):
    body = report(agent_api, workspace, group_by="channel")

    assert body["groups"] == []
    assert figures(body["totals"]) == (0, None, None, None, None, None, 0)


def test_csv_has_a_header_row_and_one_row_per_group(agent_api, workspace, report_data):
    response = agent_api.get(
        "/api/v1/reports/sla",
        {"workspace": workspace.pk, **PERIOD, "group_by": "channel", "format": "csv"},
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "key",
        "label",
        "requests",
        "first_response_attainment_percent",
        "first_response_median_minutes",
        "first_response_p90_minutes",
        "resolution_attainment_percent",
        "time_to_close_median_minutes",
        "breaches",
    ]
    assert rows[1] == ["C0AAA", "#globex", "2", "50.0", "25.0", "37.0", "100.0", "120.0", "1"]
    assert len(rows) == 3


def test_csv_neutralises_formula_labels(agent_api, workspace, make_request):
    evil = SlackUserFactory(workspace=workspace, user_id="U0EVIL", display_name="=HYPERLINK(1)")
    make_request(detected_at=local(2, 12), assignee=evil)

    response = agent_api.get(
        "/api/v1/reports/sla",
        {"workspace": workspace.pk, **PERIOD, "group_by": "assignee", "format": "csv"},
    )

    assert list(csv.reader(io.StringIO(response.content.decode())))[1][:2] == [
        "U0EVIL",
        "'=HYPERLINK(1)",
    ]


def test_csv_errors_are_json_in_the_error_shape(agent_api, workspace):
    response = agent_api.get("/api/v1/reports/sla", {"workspace": workspace.pk, "format": "csv"})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert set(error_of(response)["fields"]) == {"from", "to"}


def test_report_validates_its_parameters(agent_api, workspace):
    bad_grouping = agent_api.get(
        "/api/v1/reports/sla", {"workspace": workspace.pk, **PERIOD, "group_by": "week"}
    )
    backwards = agent_api.get(
        "/api/v1/reports/sla", {"workspace": workspace.pk, "from": "2026-03-05", "to": "2026-03-01"}
    )

    assert list(error_of(bad_grouping)["fields"]) == ["group_by"]
    assert error_of(backwards)["fields"] == {"to": ["The last day is before the first day."]}


def test_report_of_another_workspace_is_not_found(agent_api, other_workspace):
    response = agent_api.get("/api/v1/reports/sla", {"workspace": other_workspace.pk, **PERIOD})

    assert response.status_code == 404
    assert error_of(response)["code"] == "workspace_not_found"
