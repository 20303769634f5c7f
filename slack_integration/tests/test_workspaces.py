"""Installations: OAuth into many workspaces, the single-token bootstrap, secrets at rest."""

import re

import pytest
from django.db import connection

from alerts.models import AlertRule
from alerts.tests.factories import AlertRuleFactory
from conftest import load_payload
from requests_app.models import Request
from slack_integration.models import SlackUser, Workspace
from slack_integration.tests.factories import WorkspaceFactory


@pytest.fixture
def oauth_mode(settings, fake_slack):
    settings.SLACK_CLIENT_ID = "111.222"
    settings.SLACK_CLIENT_SECRET = "oauth-client-secret"
    settings.SLACK_TRIAGE_CHANNEL = "C0TRIAGE"
    return fake_slack


def test_install_page_links_to_slack_with_a_state(db, client, oauth_mode) -> None:
    response = client.get("/slack/install")
    assert response.status_code == 200
    page = response.content.decode()
    assert "https://slack.com/oauth/v2/authorize?state=" in page
    assert "client_id=111.222" in page
    assert "slack-app-oauth-state" in response.cookies


def test_oauth_callback_stores_the_installation_encrypted(db, client, oauth_mode) -> None:
    page = client.get("/slack/install").content.decode()
    state = re.search(r"state=([\w-]+)", page).group(1)
    response = client.get(f"/slack/oauth_redirect?code=the-code&state={state}")
    assert response.status_code == 200
    [exchange] = oauth_mode.calls_to("oauth.v2.access")
    assert exchange.params["code"] == "the-code"
    workspace = Workspace.objects.get(team_id="T0001")
    assert workspace.bot_token == "xoxb-installed-token"
    assert workspace.bot_user_id == "U0BOT"
    with connection.cursor() as cursor:
        cursor.execute("SELECT bot_token FROM slack_integration_workspace")
        [(stored,)] = cursor.fetchall()
    assert "xoxb-installed-token" not in stored
    # A new install alerts the triage channel without any configuration.
    assert AlertRule.objects.filter(
        workspace=workspace, event="request_detected", destination="C0TRIAGE"
    ).exists()


def test_oauth_callback_with_a_forged_state_installs_nothing(db, client, oauth_mode) -> None:
    client.get("/slack/install")
    response = client.get("/slack/oauth_redirect?code=the-code&state=forged")
    assert response.status_code in (400, 401, 403)
    assert oauth_mode.calls_to("oauth.v2.access") == []
    assert not Workspace.objects.exists()


def test_install_pages_are_404_without_oauth(db, client, fake_slack) -> None:
    assert client.get("/slack/install").status_code == 404


def test_single_token_mode_bootstraps_the_workspace(
    db, settings, fake_slack, post_to_slack
) -> None:
    settings.SLACK_BOT_TOKEN = "xoxb-single"
    settings.SLACK_TRIAGE_CHANNEL = "C0TRIAGE"
    post_to_slack(load_payload("message_channel.json"))
    workspace = Workspace.objects.get()
    assert (workspace.team_id, workspace.domain, workspace.bot_user_id) == (
        "T0001",
        "acme",
        "U0BOT",
    )
    assert len(fake_slack.calls_to("auth.test")) == 1
    assert Request.objects.count() == 1
    assert [call.params["channel"] for call in fake_slack.calls_to("chat.postMessage")] == [
        "C0TRIAGE"
    ]


def test_both_organisations_installed_each_sees_its_own_side(db, fake_slack, post_to_slack) -> None:
    vendor = WorkspaceFactory(team_id="T0001")
    customer_org = WorkspaceFactory(
        team_id="T0GLOBEX", name="Globex", bot_user_id="U0GBOT", bot_id="B0GBOT"
    )
    AlertRuleFactory(workspace=vendor)
    AlertRuleFactory(workspace=customer_org, destination="C0GLOBEXTRIAGE")
    payload = load_payload("message_channel.json")
    payload["authorizations"].append(
        {
            "enterprise_id": None,
            "team_id": "T0GLOBEX",
            "user_id": "U0GBOT",
            "is_bot": True,
            "is_enterprise_install": False,
        }
    )
    post_to_slack(payload)
    # For the vendor, Gina is a customer; for Globex she is one of their own.
    assert Request.objects.get().workspace == vendor
    assert SlackUser.objects.get(workspace=vendor, user_id="U0CUST1").is_external is True
    assert SlackUser.objects.get(workspace=customer_org, user_id="U0CUST1").is_external is False
