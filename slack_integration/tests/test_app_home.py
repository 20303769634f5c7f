"""The App Home tab: published on app_home_opened with the summary and the team's counts;
its buttons act like the alert's, and the tab is republished afterwards."""

import copy
import json
from typing import Any

from django.utils import timezone

from conftest import load_payload
from requests_app.models import Request
from slack_integration.services import events
from slack_integration.services.home import handle_app_home_opened
from slack_integration.tests.factories import (
    CustomerFactory,
    SlackUserFactory,
)
from slack_integration.tests.test_actions import home_action, interactive_form
from slack_integration.tests.test_my_summary import assigned, clock

HOME_EVENT = load_payload("app_home_opened.json")


def published(fake_slack) -> list[dict[str, Any]]:
    return [call.params for call in fake_slack.calls_to("views.publish")]


def block_texts(view: dict[str, Any]) -> str:
    return json.dumps(view["blocks"])


def test_home_opened_publishes_the_summary_and_team_counts(vera, fake_slack) -> None:
    mine = assigned(vera)
    clock(mine, due_in_minutes=-5, state="breached")
    assigned(SlackUserFactory(workspace=vera.workspace))  # a colleague's
    unassigned = assigned(vera)
    Request.objects.filter(pk=unassigned.pk).update(assignee=None, status="open")
    assigned(vera, status="closed", closed_at=timezone.now())  # not counted

    outcome = handle_app_home_opened(vera.workspace, HOME_EVENT["event"])

    assert outcome == "home_published"
    [params] = published(fake_slack)
    assert params["user_id"] == "U0VEND1"
    view = params["view"]
    assert view["type"] == "home"
    team = next(block for block in view["blocks"] if block.get("block_id") == "home_team")
    assert [field["text"] for field in team["fields"]] == [
        "*Team: open*\n3",
        "*Team: breached*\n1",
        "*Team: unassigned*\n1",
    ]
    rendered = block_texts(view)
    assert "You have 1 open request* (1 breached)" in rendered
    assert f"home_actions:{mine.pk}" in rendered
    assert "close_request" in rendered


def test_home_opened_event_through_the_endpoint_is_published(
    vera, fake_slack, post_to_slack, monkeypatch
) -> None:
    # The handler is wired in events.HANDLERS by the events module's owner; make sure here.
    monkeypatch.setitem(events.HANDLERS, "app_home_opened", handle_app_home_opened)
    payload = copy.deepcopy(HOME_EVENT)
    assert post_to_slack(payload).status_code == 200
    [params] = published(fake_slack)
    assert "Nothing is assigned to you" in block_texts(params["view"])


def test_messages_tab_publishes_nothing(vera, fake_slack) -> None:
    event = {**HOME_EVENT["event"], "tab": "messages"}
    assert handle_app_home_opened(vera.workspace, event) == "ignored"
    assert published(fake_slack) == []


def test_outsider_sees_nothing_of_the_team(vera, fake_slack) -> None:
    CustomerFactory(workspace=vera.workspace, user_id="U0CUST1", info_fetched_at=timezone.now())
    assigned(vera)
    handle_app_home_opened(vera.workspace, {**HOME_EVENT["event"], "user": "U0CUST1"})
    [params] = published(fake_slack)
    assert "Team" not in block_texts(params["view"])
    assert "nothing here for you" in block_texts(params["view"])


def test_closing_from_home_closes_and_republishes_the_tab(vera, fake_slack, post_to_slack) -> None:
    customer_request = assigned(vera)
    post_to_slack(form=interactive_form(home_action("close_request", customer_request.pk)))
    assert Request.objects.get(pk=customer_request.pk).status == "closed"
    [params] = published(fake_slack)
    assert "Nothing is assigned to you" in block_texts(params["view"])
    assert fake_slack.calls_to("chat.postEphemeral") == []


def test_a_refused_action_from_home_is_explained_in_a_dm(vera, fake_slack, post_to_slack) -> None:
    customer_request = assigned(vera, status="closed", closed_at=timezone.now())
    post_to_slack(form=interactive_form(home_action("close_request", customer_request.pk)))
    assert fake_slack.calls_to("chat.postEphemeral") == []
    [opened] = fake_slack.calls_to("conversations.open")
    assert opened.params["users"] == "U0VEND1"
    [message] = fake_slack.calls_to("chat.postMessage")
    assert "already closed" in message.params["text"]


def test_next_page_on_home_republishes_that_page(vera, fake_slack, post_to_slack) -> None:
    requests = [assigned(vera, asked_minutes_ago=1000 - number) for number in range(25)]
    payload = home_action("summary_page", 0, value="2")
    payload["actions"][0]["block_id"] = "summary_pagination"
    post_to_slack(form=interactive_form(payload))
    [params] = published(fake_slack)
    rendered = block_texts(params["view"])
    assert f"summary_item:{requests[20].pk}" in rendered
    assert f'summary_item:{requests[19].pk}"' not in rendered
    assert "page 2 of 2" in rendered


def test_home_stays_under_slacks_block_limit(vera, fake_slack) -> None:
    for number in range(60):
        clock(assigned(vera), due_in_minutes=number + 10)
    handle_app_home_opened(vera.workspace, HOME_EVENT["event"])
    [params] = published(fake_slack)
    assert len(params["view"]["blocks"]) <= 100
