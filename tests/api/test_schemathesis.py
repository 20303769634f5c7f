"""Schemathesis against /api/schema/: no 500s, and every response matches the schema.

The WSGI app runs in-process, so it sees the test's database: a workspace with a request,
clocks, an alert, a ticket and configuration, and an admin member whose token every case
sends. Generated ids are small integers, so many cases reach real rows. Examples (valid
and invalid input) are bounded per operation and derandomized, so a run is quick and
repeatable.
"""

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from alerts.tests.factories import AlertFactory, AlertRuleFactory
from requests_app.tests.factories import MessageFactory, RequestFactory
from sla.tests.factories import BusinessHoursCalendarFactory, SLAClockFactory, SLAPolicyFactory
from slack_integration.models import WorkspaceMembership
from slack_integration.tests.factories import (
    ChannelFactory,
    CustomerFactory,
    SlackUserFactory,
    WorkspaceFactory,
)
from thena.wsgi import application
from tickets.tests.factories import TicketFactory, TicketProviderFactory

MAX_EXAMPLES = 10
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
# The coverage phase ignores max_examples: it sends every boundary and negative variant of
# every field (about 6,000 calls, 80 s). It passes too; set SCHEMATHESIS_COVERAGE=1 to run it.
schema.config.phases.coverage.enabled = bool(os.environ.get("SCHEMATHESIS_COVERAGE"))


@pytest.fixture
def _keep_test_connection() -> Iterator[None]:
    """Django's request signals close a connection inside a transaction; the test's own
    transaction must survive each WSGI call (Django's test client does the same)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_token(db, django_user_model, monkeypatch, _keep_test_connection) -> str:
    """An admin's token in a workspace with one of everything (and no throttling)."""
    unlimited = {"user": "100000/min", "anon": "100000/min"}
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", unlimited)
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", unlimited)
    workspace = WorkspaceFactory(team_id="T0001", timezone="Europe/Berlin")
    channel = ChannelFactory(workspace=workspace, channel_id="C0GLOBEX", name="globex")
    agent = SlackUserFactory(workspace=workspace, user_id="U0VERA")
    for _ in range(3):
        customer_request = RequestFactory(
            root_message=MessageFactory(
                channel=channel, author=CustomerFactory(workspace=workspace)
            ),
            assignee=agent,
            status="in_progress",
        )
        SLAClockFactory(request=customer_request)
        AlertFactory(request=customer_request, status="failed").rules.add(
            AlertRuleFactory(workspace=workspace)
        )
        TicketFactory(request=customer_request, provider=TicketProviderFactory(workspace=workspace))
    calendar = BusinessHoursCalendarFactory(workspace=workspace)
    SLAPolicyFactory(workspace=workspace, calendar=calendar)
    user = django_user_model.objects.create_user("schemathesis")
    WorkspaceMembership.objects.create(
        user=user, workspace=workspace, role="admin", slack_user=agent
    )
    return Token.objects.create(user=user).key


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case: Any, api_token: str) -> None:
    response = case.call(headers={"Authorization": f"Token {api_token}"})
    case.validate_response(response, checks=CHECKS)
