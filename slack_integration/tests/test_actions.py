"""The alert's buttons through /slack/events: rows change, the alert is re-rendered with
chat.update, and the clicker hears back when the action cannot apply."""

import copy
import json
import threading
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone

from alerts.tests.factories import AlertFactory
from conftest import load_payload, sign
from requests_app.models import DiscardedMessage, Message, Request, RequestEvent
from requests_app.tests.factories import MessageFactory, RequestFactory
from sla.tests.factories import SLAClockFactory
from slack_integration.fake_slack import Scripted
from slack_integration.services.reactions import handle_reaction_added
from slack_integration.tests.factories import (
    ChannelFactory,
    CustomerFactory,
    SlackUserFactory,
    WorkspaceFactory,
)

ALERT_TS = "1741010715.000600"
ROOT_TS = "1741010712.000100"
GINA_TEXT = "Hi team, our nightly export to S3 failed again with error 502. Can you look into it?"


def block_action(
    action_id: str,
    request_id: int,
    *,
    user: str = "U0VEND1",
    team: str = "T0001",
    **action_fields: Any,
) -> dict[str, Any]:
    """block_actions_assign.json clicked on ``action_id`` of request ``request_id``."""
    text = json.dumps(load_payload("block_actions_assign.json"))
    payload = json.loads(text.replace('"request:42"', f'"request:{request_id}"'))
    payload["user"].update(id=user, team_id=team, username=user.lower(), name=user.lower())
    action = payload["actions"][0]
    action.update(action_id=action_id, value=f"request:{request_id}")
    action.update(action_fields)
    for key, value in action_fields.items():
        if value is None:
            action.pop(key)
    return payload


def home_action(
    action_id: str, request_id: int, *, user: str = "U0VEND1", **action_fields: Any
) -> dict[str, Any]:
    """The same click made on the App Home tab: a view container, no channel, no message."""
    payload = block_action(action_id, request_id, user=user, **action_fields)
    payload.pop("message")
    payload["channel"] = None
    payload["container"] = {"type": "view", "view_id": "V0HOME0001"}
    payload["view"] = {
        "id": "V0HOME0001",
        "type": "home",
        "blocks": [],
        "private_metadata": "",
        "callback_id": "",
        "hash": "1.a",
    }
    payload["actions"][0]["block_id"] = f"home_actions:{request_id}"
    return payload


def interactive_form(payload: dict[str, Any]) -> dict[str, str]:
    return {"payload": json.dumps(payload)}


def make_world() -> dict[str, Any]:
    """Acme's workspace, Vera and Victor (support), Gina's request in C0CUST1 and its
    delivered alert in C0TRIAGE."""
    now = timezone.now()
    workspace = WorkspaceFactory(team_id="T0001", domain="acme")
    channel = ChannelFactory(
        workspace=workspace, channel_id="C0CUST1", name="acme-globex", info_fetched_at=now
    )
    vera = SlackUserFactory(
        workspace=workspace, user_id="U0VEND1", real_name="Vera Vendor", info_fetched_at=now
    )
    victor = SlackUserFactory(
        workspace=workspace, user_id="U0VEND2", real_name="Victor Vendor", info_fetched_at=now
    )
    gina = CustomerFactory(
        workspace=workspace, user_id="U0CUST1", real_name="Gina Globex", info_fetched_at=now
    )
    customer_request = RequestFactory(
        root_message=MessageFactory(channel=channel, author=gina, ts=ROOT_TS, text=GINA_TEXT)
    )
    alert = AlertFactory(
        request=customer_request,
        status="sent",
        sent_at=now,
        slack_channel="C0TRIAGE",
        slack_ts=ALERT_TS,
    )
    return {
        "workspace": workspace,
        "channel": channel,
        "vera": vera,
        "victor": victor,
        "gina": gina,
        "request": customer_request,
        "alert": alert,
    }


@pytest.fixture
def world(db, fake_slack) -> dict[str, Any]:
    return make_world()


def updates_of(fake_slack) -> list[dict[str, Any]]:
    return [call.params for call in fake_slack.calls_to("chat.update")]


def ephemerals(fake_slack) -> list[dict[str, Any]]:
    return [call.params for call in fake_slack.calls_to("chat.postEphemeral")]


def test_assign_to_me_assigns_and_updates_the_alert_in_place(
    world, fake_slack, post_to_slack
) -> None:
    customer_request = world["request"]
    response = post_to_slack(
        form=interactive_form(block_action("assign_to_me", customer_request.pk))
    )
    assert response.status_code == 200
    customer_request.refresh_from_db()
    assert customer_request.assignee == world["vera"]
    assert customer_request.status == "in_progress"
    event = RequestEvent.objects.get(request=customer_request, kind="assigned")
    assert (event.actor, event.source) == (world["vera"], "slack")
    [update] = updates_of(fake_slack)
    assert (update["channel"], update["ts"]) == ("C0TRIAGE", ALERT_TS)
    rendered = json.dumps(update["blocks"])
    assert "<@U0VEND1>" in rendered
    assert "In progress" in rendered
    assert ephemerals(fake_slack) == []


def test_assignment_dms_the_assignee_a_link_to_the_customer_message(
    world, fake_slack, post_to_slack
) -> None:
    customer_request = world["request"]
    post_to_slack(form=interactive_form(block_action("assign_to_me", customer_request.pk)))
    [opened] = fake_slack.calls_to("conversations.open")
    assert opened.params["users"] == "U0VEND1"
    [dm] = fake_slack.calls_to("chat.postMessage")
    assert dm.params["channel"] == "DU0VEND1"
    assert "archives/C0CUST1/p1741010712000100" in json.dumps(dm.params["blocks"])
    assert f"#{customer_request.pk}" in dm.params["text"]


def test_assignment_mirrors_eyes_on_the_customer_message(world, fake_slack, post_to_slack) -> None:
    post_to_slack(form=interactive_form(block_action("assign_to_me", world["request"].pk)))
    [reaction] = fake_slack.calls_to("reactions.add")
    assert reaction.params == {"channel": "C0CUST1", "timestamp": ROOT_TS, "name": "eyes"}


def test_no_mirrored_reaction_when_the_channel_turned_it_off(
    world, fake_slack, post_to_slack
) -> None:
    world["channel"].sync_reactions = False
    world["channel"].save(update_fields=["sync_reactions"])
    post_to_slack(form=interactive_form(block_action("assign_to_me", world["request"].pk)))
    assert Request.objects.get().assignee == world["vera"]
    assert fake_slack.calls_to("reactions.add") == []


def test_already_reacted_is_not_an_error(world, fake_slack, post_to_slack) -> None:
    fake_slack.script("reactions.add", Scripted(body={"ok": False, "error": "already_reacted"}))
    post_to_slack(form=interactive_form(block_action("assign_to_me", world["request"].pk)))
    assert Request.objects.get().assignee == world["vera"]
    assert ephemerals(fake_slack) == []


def test_assign_other_assigns_the_picked_person_and_dms_them(
    world, fake_slack, post_to_slack
) -> None:
    payload = block_action(
        "assign_other",
        world["request"].pk,
        value=None,
        type="users_select",
        selected_user="U0VEND2",
    )
    post_to_slack(form=interactive_form(payload))
    customer_request = Request.objects.get()
    assert customer_request.assignee == world["victor"]
    event = RequestEvent.objects.get(kind="assigned")
    assert (event.actor, event.detail["assignee"]) == (world["vera"], "U0VEND2")
    assert fake_slack.calls_to("conversations.open")[0].params["users"] == "U0VEND2"
    assert "<@U0VEND2>" in json.dumps(updates_of(fake_slack)[0]["blocks"])


def test_assigning_a_customer_is_refused(world, fake_slack, post_to_slack) -> None:
    payload = block_action(
        "assign_other",
        world["request"].pk,
        value=None,
        type="users_select",
        selected_user="U0CUST1",
    )
    post_to_slack(form=interactive_form(payload))
    assert Request.objects.get().assignee is None
    [reply] = ephemerals(fake_slack)
    assert "not a member of the support team" in reply["text"]


def test_close_meets_the_resolution_clock_and_re_renders_with_undo(
    world, fake_slack, post_to_slack
) -> None:
    clock = SLAClockFactory(
        request=world["request"],
        kind="resolution",
        target_minutes=600,
        due_at=timezone.now() + timedelta(hours=10),
    )
    post_to_slack(form=interactive_form(block_action("close_request", world["request"].pk)))
    customer_request = Request.objects.get()
    assert (customer_request.status, customer_request.closed_by) == ("closed", world["vera"])
    assert RequestEvent.objects.filter(kind="closed").count() == 1
    clock.refresh_from_db()
    assert clock.state == "met"
    rendered = json.dumps(updates_of(fake_slack)[-1]["blocks"])
    assert "undo_action" in rendered
    assert "close_request" not in rendered
    assert fake_slack.calls_to("reactions.add")[0].params["name"] == "white_check_mark"


def test_second_close_click_gets_already_closed_reply(world, fake_slack, post_to_slack) -> None:
    post_to_slack(form=interactive_form(block_action("close_request", world["request"].pk)))
    post_to_slack(
        form=interactive_form(block_action("close_request", world["request"].pk, user="U0VEND2"))
    )
    assert RequestEvent.objects.filter(kind="closed").count() == 1
    assert Request.objects.get().closed_by == world["vera"]
    [reply] = ephemerals(fake_slack)
    assert (reply["channel"], reply["user"]) == ("C0TRIAGE", "U0VEND2")
    assert "already closed" in reply["text"]


@pytest.mark.django_db(transaction=True)
def test_two_people_clicking_close_at_once_close_it_once(world, fake_slack) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks serialise the clicks on PostgreSQL; SQLite has none")
    request_id = world["request"].pk
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def click(user_id: str) -> None:
        payload = block_action("close_request", request_id, user=user_id)
        raw = urlencode(interactive_form(payload)).encode()
        try:
            barrier.wait(timeout=10)
            response = Client().generic(
                "POST",
                "/slack/events",
                raw,
                content_type="application/x-www-form-urlencoded",
                **sign(raw),
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=(user,)) for user in ("U0VEND1", "U0VEND2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert statuses == [200, 200]
    assert RequestEvent.objects.filter(request_id=request_id, kind="closed").count() == 1
    [reply] = ephemerals(fake_slack)
    closer = Request.objects.get(pk=request_id).closed_by.user_id
    assert reply["user"] != closer
    assert "already closed" in reply["text"]


def test_customer_clicking_in_a_shared_channel_changes_nothing(
    world, fake_slack, post_to_slack
) -> None:
    for action_id in ("assign_to_me", "close_request", "discard_request"):
        payload = block_action(action_id, world["request"].pk, user="U0CUST1", team="T0GLOBEX")
        post_to_slack(form=interactive_form(payload))
    customer_request = Request.objects.get()
    assert (customer_request.status, customer_request.assignee) == ("open", None)
    assert not RequestEvent.objects.exists()
    assert updates_of(fake_slack) == []
    replies = ephemerals(fake_slack)
    assert len(replies) == 3
    assert all(reply["user"] == "U0CUST1" and "support team" in reply["text"] for reply in replies)


def test_request_of_another_workspace_is_not_found(world, fake_slack, post_to_slack) -> None:
    other = WorkspaceFactory(team_id="T0OTHER", domain="other")
    foreign = RequestFactory(root_message__channel=ChannelFactory(workspace=other))
    post_to_slack(form=interactive_form(block_action("close_request", foreign.pk)))
    foreign.refresh_from_db()
    assert foreign.status == "open"
    [reply] = ephemerals(fake_slack)
    assert f"Request #{foreign.pk} was not found" in reply["text"]


def test_discard_cancels_clocks_and_feeds_suppression(world, fake_slack, post_to_slack) -> None:
    clock = SLAClockFactory(request=world["request"], kind="first_response")
    post_to_slack(form=interactive_form(block_action("discard_request", world["request"].pk)))
    assert Request.objects.get().status == "discarded"
    clock.refresh_from_db()
    assert clock.state == "cancelled"
    discarded = DiscardedMessage.objects.get()
    assert (discarded.request, discarded.is_active) == (world["request"], True)
    assert "Discarded by" in json.dumps(updates_of(fake_slack)[-1]["blocks"])


def test_discarded_message_paraphrase_does_not_become_a_request(
    db, fake_slack, post_to_slack
) -> None:
    from alerts.tests.factories import AlertRuleFactory
    from slack_integration.tests.test_ingestion import message_event

    workspace = WorkspaceFactory(team_id="T0001", domain="acme")
    AlertRuleFactory(workspace=workspace, event="request_detected", destination="C0TRIAGE")
    SlackUserFactory(workspace=workspace, user_id="U0VEND1", info_fetched_at=timezone.now())
    post_to_slack(load_payload("message_channel.json"))
    customer_request = Request.objects.get()
    post_to_slack(form=interactive_form(block_action("discard_request", customer_request.pk)))
    assert Request.objects.get().status == "discarded"
    paraphrase = (
        "Hi team, our nightly S3 export failed again with a 502 error. "
        "Could you look into it today?"
    )
    post_to_slack(message_event(paraphrase))
    assert Message.objects.get(text=paraphrase).request is None
    assert Request.objects.count() == 1
    assert DiscardedMessage.objects.filter(request=customer_request, is_active=True).exists()
    # Detection still works for other requests: the suppression is what stopped the paraphrase.
    post_to_slack(message_event("Our SSO login is broken for every user since 9am, please fix it"))
    assert Request.objects.count() == 2


def test_waiting_on_customer_puts_the_request_on_hold(world, fake_slack, post_to_slack) -> None:
    clock = SLAClockFactory(
        request=world["request"],
        kind="resolution",
        target_minutes=600,
        due_at=timezone.now() + timedelta(hours=10),
    )
    post_to_slack(form=interactive_form(block_action("wait_on_customer", world["request"].pk)))
    assert Request.objects.get().status == "on_hold"
    clock.refresh_from_db()
    assert clock.state == "paused"
    rendered = json.dumps(updates_of(fake_slack)[-1]["blocks"])
    assert "On hold" in rendered
    assert "wait_on_customer" not in rendered


def test_undo_reopens_a_close_within_the_grace_period(world, fake_slack, post_to_slack) -> None:
    post_to_slack(form=interactive_form(block_action("close_request", world["request"].pk)))
    post_to_slack(form=interactive_form(block_action("undo_action", world["request"].pk)))
    customer_request = Request.objects.get()
    assert customer_request.status == "open"
    assert customer_request.closed_at is None
    assert RequestEvent.objects.filter(kind="reopened", detail__reason="undo").count() == 1
    assert "close_request" in json.dumps(updates_of(fake_slack)[-1]["blocks"])
    [removed] = fake_slack.calls_to("reactions.remove")
    assert removed.params["name"] == "white_check_mark"


def test_undo_of_a_discard_turns_suppression_off(world, fake_slack, post_to_slack) -> None:
    post_to_slack(form=interactive_form(block_action("discard_request", world["request"].pk)))
    post_to_slack(form=interactive_form(block_action("undo_action", world["request"].pk)))
    assert Request.objects.get().status == "open"
    assert DiscardedMessage.objects.get().is_active is False


def test_undo_after_the_grace_period_is_refused(world, fake_slack, post_to_slack) -> None:
    post_to_slack(form=interactive_form(block_action("close_request", world["request"].pk)))
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        post_to_slack(form=interactive_form(block_action("undo_action", world["request"].pk)))
    assert Request.objects.get().status == "closed"
    [reply] = ephemerals(fake_slack)
    assert "nothing to undo" in reply["text"]


def test_open_message_button_is_acknowledged(world, post_to_slack) -> None:
    payload = block_action("open_message", world["request"].pk, value=None)
    assert post_to_slack(form=interactive_form(payload)).status_code == 200


def reaction_event(reaction: str, *, user: str = "U0VEND1", ts: str = ROOT_TS) -> dict:
    event = copy.deepcopy(load_payload("reaction_added.json")["event"])
    event.update(reaction=reaction, user=user)
    event["item"]["ts"] = ts
    return event


def test_eyes_from_a_team_member_assigns_the_request_to_them(world, fake_slack) -> None:
    outcome = handle_reaction_added(world["workspace"], reaction_event("eyes"))
    assert outcome == "request_assigned"
    assert Request.objects.get().assignee == world["vera"]
    assert fake_slack.calls_to("conversations.open")[0].params["users"] == "U0VEND1"
    assert fake_slack.calls_to("reactions.add") == []  # her own :eyes: is there already


def test_check_mark_from_a_team_member_closes_the_request(world, fake_slack) -> None:
    outcome = handle_reaction_added(world["workspace"], reaction_event("white_check_mark"))
    assert outcome == "request_closed"
    customer_request = Request.objects.get()
    assert (customer_request.status, customer_request.closed_by) == ("closed", world["vera"])


def test_customer_reactions_do_nothing(world, fake_slack) -> None:
    outcome = handle_reaction_added(
        world["workspace"], reaction_event("white_check_mark", user="U0CUST1")
    )
    assert outcome == "ignored"
    assert Request.objects.get().status == "open"


def test_eyes_on_a_message_without_request_does_nothing(world, fake_slack) -> None:
    MessageFactory(channel=world["channel"], author=world["gina"], ts="1741010999.000100")
    outcome = handle_reaction_added(
        world["workspace"], reaction_event("eyes", ts="1741010999.000100")
    )
    assert outcome == "ignored"
    assert Request.objects.count() == 1


def test_request_reaction_still_forces_a_request(world, fake_slack) -> None:
    message = MessageFactory(
        channel=world["channel"], author=world["gina"], ts="1741010999.000100", text="thanks!"
    )
    outcome = handle_reaction_added(
        world["workspace"], reaction_event("ticket", ts="1741010999.000100")
    )
    assert outcome == "request_created"
    assert Request.objects.get(root_message=message).detection_stage == "reaction"
