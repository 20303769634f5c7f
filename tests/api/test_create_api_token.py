"""`manage.py create_api_token`: the token alone on the last line, and it authenticates."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from slack_integration.models import WorkspaceMembership

pytestmark = pytest.mark.django_db


def run(*args: str) -> list[str]:
    out = StringIO()
    call_command("create_api_token", *args, stdout=out)
    return out.getvalue().splitlines()


def test_prints_only_the_token_on_the_last_line_and_it_authenticates(django_user_model, workspace):
    django_user_model.objects.create_user("lead")

    token = run("lead", "--workspace", "T0001", "--role", "admin")[-1]

    assert token.strip() == token
    assert len(token) == 40
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.get("/api/v1/workspaces/")
    assert response.status_code == 200
    assert response.json()["results"][0]["role"] == "admin"


def test_same_token_again_unless_rotated(django_user_model):
    django_user_model.objects.create_user("lead")

    first = run("lead")[-1]
    again = run("lead")[-1]
    rotated = run("lead", "--rotate")[-1]

    assert first == again
    assert rotated != first
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert client.get("/api/v1/workspaces/").status_code == 401


def test_unknown_user_is_an_error_that_offers_create_user(db):
    with pytest.raises(CommandError, match="--create-user"):
        run("ghost")


def test_create_user_and_link_slack_user(django_user_model, workspace, vera):
    run("vera", "--create-user", "--workspace", "T0001", "--slack-user", "U0VERA")

    membership = WorkspaceMembership.objects.get(user__username="vera")
    assert (membership.role, membership.slack_user) == ("agent", vera)
    assert not django_user_model.objects.get(username="vera").has_usable_password()


def test_role_without_workspace_is_an_error(django_user_model):
    django_user_model.objects.create_user("lead")

    with pytest.raises(CommandError, match="--workspace"):
        run("lead", "--role", "admin")
