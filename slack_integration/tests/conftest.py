"""Fixtures shared by the Slack edge's tests."""

import pytest
from django.utils import timezone

from slack_integration.tests.factories import SlackUserFactory, WorkspaceFactory


@pytest.fixture
def vera(db, fake_slack):
    """Vera, a vendor-side user of workspace T0001 whose profile is already cached."""
    workspace = WorkspaceFactory(team_id="T0001", domain="acme")
    return SlackUserFactory(
        workspace=workspace,
        user_id="U0VEND1",
        real_name="Vera Vendor",
        info_fetched_at=timezone.now(),
    )
