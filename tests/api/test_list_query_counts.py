"""Every list endpoint costs the same number of queries for 2 rows as for 12 (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alerts.tests.factories import AlertFactory, AlertRuleFactory
from sla.tests.factories import BusinessHoursCalendarFactory, SLAClockFactory, SLAPolicyFactory
from slack_integration.tests.factories import ChannelFactory, SlackUserFactory
from tickets.tests.factories import TicketFactory, TicketProviderFactory

pytestmark = pytest.mark.django_db


def add_rows(workspace, make_request, count: int) -> None:
    for _ in range(count):
        customer_request = make_request()
        SLAClockFactory(request=customer_request)
        AlertFactory(request=customer_request).rules.add(AlertRuleFactory(workspace=workspace))
        TicketFactory(request=customer_request, provider__workspace=workspace)
        ChannelFactory(workspace=workspace)
        SlackUserFactory(workspace=workspace)
        calendar = BusinessHoursCalendarFactory(workspace=workspace)
        SLAPolicyFactory(workspace=workspace, calendar=calendar, is_enabled=False)
        TicketProviderFactory(workspace=workspace)


def queries_for(api, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = api.get(url)
    assert response.status_code == 200, response.content
    return len(captured)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/workspaces/",
        "/api/v1/channels/",
        "/api/v1/slack-users/",
        "/api/v1/requests/",
        "/api/v1/sla-policies/",
        "/api/v1/calendars/",
        "/api/v1/sla-clocks/",
        "/api/v1/alert-rules/",
        "/api/v1/alerts/",
        "/api/v1/ticket-providers/",
        "/api/v1/tickets/",
    ],
)
def test_list_queries_do_not_grow_with_rows(admin_api, workspace, make_request, url):
    add_rows(workspace, make_request, 2)
    few = queries_for(admin_api, url)
    add_rows(workspace, make_request, 10)

    assert queries_for(admin_api, url) == few
    assert few <= 6
