"""`/my` through /slack/events: the reply is the ack's body (ephemeral), most urgent first."""

import json
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl

from django.utils import timezone

from conftest import SHARED_PAYLOADS
from requests_app.tests.factories import MessageFactory, RequestFactory
from sla.tests.factories import SLAClockFactory
from slack_integration.tests.factories import (
    ChannelFactory,
    CustomerFactory,
    SlackUserFactory,
)
from slack_integration.tests.test_actions import block_action, interactive_form
from tickets.tests.factories import TicketFactory

SLASH_FORM = dict(parse_qsl((SHARED_PAYLOADS / "slash_command_my_summary.form.txt").read_text()))


def slash(text: str, *, user: str = "U0VEND1") -> dict[str, str]:
    return {**SLASH_FORM, "text": text, "user_id": user}


def assigned(
    assignee, *, asked_minutes_ago: int = 60, customer: str = "Gina Globex", **request_fields: Any
):
    """A request assigned to ``assignee`` whose customer asked ``asked_minutes_ago``."""
    workspace = assignee.workspace
    channel = ChannelFactory(workspace=workspace, info_fetched_at=timezone.now())
    author = CustomerFactory(workspace=workspace, real_name=customer)
    posted_at = timezone.now() - timedelta(minutes=asked_minutes_ago)
    return RequestFactory(
        root_message=MessageFactory(channel=channel, author=author, posted_at=posted_at),
        assignee=assignee,
        status=request_fields.pop("status", "in_progress"),
        **request_fields,
    )


def clock(
    customer_request, *, due_in_minutes: int, state: str = "running", kind: str = "first_response"
):
    due_at = timezone.now() + timedelta(minutes=due_in_minutes)
    return SLAClockFactory(
        request=customer_request,
        kind=kind,
        state=state,
        started_at=due_at - timedelta(minutes=30),
        due_at=due_at,
        breached_at=due_at if state == "breached" else None,
        paused_at=timezone.now() if state == "paused" else None,
    )


def item_ids(blocks: list[dict[str, Any]]) -> list[int]:
    return [
        int(block["block_id"].split(":")[1])
        for block in blocks
        if str(block.get("block_id", "")).startswith("summary_item:")
    ]


def test_summary_with_nothing_assigned_is_a_friendly_empty_state(vera, post_to_slack) -> None:
    response = post_to_slack(form=slash("summary"))
    assert response.status_code == 200
    body = response.json()
    assert body["response_type"] == "ephemeral"
    assert "Nothing is assigned to you" in json.dumps(body["blocks"])


def test_empty_text_means_summary(vera, post_to_slack) -> None:
    body = post_to_slack(form=slash("")).json()
    assert "Nothing is assigned to you" in body["text"]


def test_summary_lists_three_requests_most_urgent_first(vera, fake_slack, post_to_slack) -> None:
    no_sla = assigned(vera, asked_minutes_ago=500, customer="Initech")
    due_soon = assigned(vera, asked_minutes_ago=20, customer="Globex")
    clock(due_soon, due_in_minutes=25)
    breached = assigned(vera, asked_minutes_ago=90, customer="Umbrella")
    clock(breached, due_in_minutes=-45, state="breached")
    TicketFactory(request=due_soon, external_key="REQ-7", url="https://tickets.example/REQ-7")
    assigned(SlackUserFactory(workspace=vera.workspace))  # someone else's
    assigned(vera, status="closed", closed_at=timezone.now())  # not active

    body = post_to_slack(form=slash("summary")).json()

    assert body["response_type"] == "ephemeral"
    blocks = body["blocks"]
    assert item_ids(blocks) == [breached.pk, due_soon.pk, no_sla.pk]
    assert "You have 3 open requests* (1 breached)" in blocks[0]["text"]["text"]
    texts = {
        block["block_id"]: block["text"]["text"]
        for block in blocks
        if block.get("block_id", "").startswith("summary_item:")
    }
    assert "Umbrella" in texts[f"summary_item:{breached.pk}"]
    assert "First response SLA breached 45m ago" in texts[f"summary_item:{breached.pk}"]
    assert "First response due in 2" in texts[f"summary_item:{due_soon.pk}"]
    assert "<https://tickets.example/REQ-7|REQ-7>" in texts[f"summary_item:{due_soon.pk}"]
    assert "No SLA" in texts[f"summary_item:{no_sla.pk}"]
    assert "asked 8h 20m ago" in texts[f"summary_item:{no_sla.pk}"]
    assert f"<#{no_sla.channel.channel_id}>" in texts[f"summary_item:{no_sla.pk}"]
    opened = [block["accessory"]["url"] for block in blocks if "accessory" in block]
    assert opened[0] == breached.root_message.permalink
    assert fake_slack.calls == []  # the answer is the HTTP body: no Web API call


def test_breached_longest_comes_first_then_least_time_left(vera, post_to_slack) -> None:
    recent_breach = assigned(vera)
    clock(recent_breach, due_in_minutes=-5, state="breached")
    old_breach = assigned(vera)
    clock(old_breach, due_in_minutes=-300, state="breached", kind="resolution")
    later = assigned(vera)
    clock(later, due_in_minutes=240)
    sooner = assigned(vera)
    clock(sooner, due_in_minutes=10)
    on_hold = assigned(vera, status="on_hold", asked_minutes_ago=5000)
    clock(on_hold, due_in_minutes=100, state="paused", kind="resolution")
    body = post_to_slack(form=slash("summary")).json()
    assert item_ids(body["blocks"]) == [
        old_breach.pk,
        recent_breach.pk,
        sooner.pk,
        later.pk,
        on_hold.pk,
    ]
    assert "paused" in json.dumps(body["blocks"])


def test_summary_of_45_requests_shows_20_and_a_next_page_button(
    vera, post_to_slack, django_assert_max_num_queries
) -> None:
    requests = [assigned(vera, asked_minutes_ago=1000 - number) for number in range(45)]
    for number, customer_request in enumerate(requests[:30]):
        clock(
            customer_request,
            due_in_minutes=number * 10 - 95,
            state="breached" if number < 10 else "running",
        )
        TicketFactory(request=customer_request)

    with django_assert_max_num_queries(10):
        body = post_to_slack(form=slash("summary")).json()

    blocks = body["blocks"]
    assert item_ids(blocks) == [customer_request.pk for customer_request in requests[:20]]
    assert "You have 45 open requests* (10 breached)" in blocks[0]["text"]["text"]
    assert "page 1 of 3" in blocks[0]["text"]["text"]
    [button] = blocks[-1]["elements"]
    assert (button["action_id"], button["value"]) == ("summary_page", "2")
    assert len(blocks) <= 50  # Slack's limit per message


def test_next_page_click_posts_the_next_page_ephemerally(vera, fake_slack, post_to_slack) -> None:
    requests = [assigned(vera, asked_minutes_ago=1000 - number) for number in range(45)]
    payload = block_action("summary_page", 0, value="2")
    payload["container"]["is_ephemeral"] = True
    payload["actions"][0]["block_id"] = "summary_pagination"
    post_to_slack(form=interactive_form(payload))
    [posted] = fake_slack.calls_to("chat.postEphemeral")
    assert (posted.params["channel"], posted.params["user"]) == ("C0TRIAGE", "U0VEND1")
    assert item_ids(posted.params["blocks"]) == [item.pk for item in requests[20:40]]
    assert posted.params["blocks"][-1]["elements"][0]["value"] == "3"


def test_last_page_offers_the_way_back(vera, fake_slack, post_to_slack) -> None:
    requests = [assigned(vera, asked_minutes_ago=1000 - number) for number in range(45)]
    post_to_slack(form=interactive_form(block_action("summary_page", 0, value="3")))
    [posted] = fake_slack.calls_to("chat.postEphemeral")
    assert item_ids(posted.params["blocks"]) == [item.pk for item in requests[40:]]
    assert posted.params["blocks"][-1]["elements"][0]["value"] == "1"


def test_help_lists_the_options(vera, post_to_slack) -> None:
    body = post_to_slack(form=slash("help")).json()
    assert body["response_type"] == "ephemeral"
    assert "/my summary" in body["text"]
    assert "/my help" in body["text"]


def test_unknown_option_gets_a_short_usage_message(vera, post_to_slack) -> None:
    body = post_to_slack(form=slash("nonsense <b>")).json()
    assert body["response_type"] == "ephemeral"
    assert body["text"] == (
        "I don't know `/my nonsense &lt;b&gt;`. Try `/my summary` or `/my help`."
    )
