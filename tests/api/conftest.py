"""API fixtures: workspaces, members of each role with a token client, and request data."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from requests_app.tests.factories import MessageFactory, RequestFactory
from slack_integration.models import Workspace, WorkspaceMembership
from slack_integration.tests.factories import (
    ChannelFactory,
    CustomerFactory,
    SlackUserFactory,
    WorkspaceFactory,
)


@pytest.fixture(autouse=True)
def _fresh_throttle_history() -> Iterator[None]:
    """Throttle counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def workspace(db) -> Workspace:
    return WorkspaceFactory(team_id="T0001", name="Acme", domain="acme")


@pytest.fixture
def other_workspace(db) -> Workspace:
    return WorkspaceFactory(team_id="T0OTHER", name="Initech", domain="initech")


def token_client(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def make_member(db, django_user_model) -> Callable[..., APIClient]:
    """``make_member("agent", workspace, slack_user=vera)`` → a token client for a new user."""

    def make(role: str, workspace: Workspace, *, slack_user: Any = None) -> APIClient:
        username = f"{role}-{workspace.team_id}-{django_user_model.objects.count()}"
        user = django_user_model.objects.create_user(username, password=None)
        WorkspaceMembership.objects.create(
            user=user, workspace=workspace, role=role, slack_user=slack_user
        )
        client = token_client(user)
        client.user = user  # type: ignore[attr-defined]
        return client

    return make


@pytest.fixture
def vera(workspace):
    """A support agent's Slack identity."""
    return SlackUserFactory(workspace=workspace, user_id="U0VERA", real_name="Vera Vendor")


@pytest.fixture
def admin_api(make_member, workspace) -> APIClient:
    return make_member("admin", workspace)


@pytest.fixture
def agent_api(make_member, workspace, vera) -> APIClient:
    return make_member("agent", workspace, slack_user=vera)


@pytest.fixture
def reader_api(make_member, workspace) -> APIClient:
    return make_member("read_only", workspace)


@pytest.fixture
def anon_api() -> APIClient:
    return APIClient()


@pytest.fixture
def channel(workspace):
    return ChannelFactory(workspace=workspace, channel_id="C0GLOBEX", name="acme-globex")


@pytest.fixture
def make_request(workspace, channel) -> Callable[..., Any]:
    """A customer request in ``channel`` (keyword arguments go to the Request)."""

    def make(*, text: str = "the CSV export fails", customer: str = "Gina Globex", **fields):
        target_channel = fields.pop("channel", channel)
        author = CustomerFactory(workspace=target_channel.workspace, real_name=customer)
        message_fields = {"posted_at": fields.pop("posted_at")} if "posted_at" in fields else {}
        root = MessageFactory(channel=target_channel, author=author, text=text, **message_fields)
        return RequestFactory(root_message=root, **fields)

    return make


def error_of(response: Any) -> dict[str, Any]:
    """The ``error`` object of an error response (asserting the shape on the way)."""
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]
