"""The "Create ticket" modal: opened prefilled; its submission creates the ticket and
posts its link where the team will see it."""

import copy
import json
from typing import Any

import pytest

from conftest import load_payload
from requests_app.models import Request, RequestEvent
from requests_app.tests.factories import MessageFactory, RequestFactory
from slack_integration.tests.factories import ChannelFactory
from slack_integration.tests.test_actions import (
    ALERT_TS,
    ROOT_TS,
    block_action,
    interactive_form,
    make_world,
)
from tickets.models import Ticket, TicketProvider
from tickets.tests.factories import TicketProviderFactory

SUBMISSION = load_payload("view_submission_create_ticket.json")


@pytest.fixture
def world(db, fake_slack) -> dict[str, Any]:
    return make_world()


def submission(
    request_id: int,
    *,
    title: str | None = None,
    priority: str = "high",
    provider_id: int | None = None,
    alert: bool = True,
) -> dict[str, Any]:
    """view_submission_create_ticket.json for ``request_id``, optionally edited."""
    payload = copy.deepcopy(SUBMISSION)
    view = payload["view"]
    view["private_metadata"] = json.dumps(
        {
            "request_id": request_id,
            "alert_channel": "C0TRIAGE" if alert else None,
            "alert_ts": ALERT_TS if alert else None,
        }
    )
    values = view["state"]["values"]
    if title is not None:
        values["ticket_title"]["title_input"]["value"] = title
    values["ticket_priority"]["priority_select"]["selected_option"]["value"] = priority
    if provider_id is not None:
        view["blocks"].append(
            {
                "type": "input",
                "block_id": "ticket_provider",
                "element": {"type": "static_select", "action_id": "provider_select"},
            }
        )
        values["ticket_provider"] = {
            "provider_select": {
                "type": "static_select",
                "selected_option": {"value": str(provider_id)},
            }
        }
    return payload


def modal_of(fake_slack) -> dict[str, Any]:
    [opened] = fake_slack.calls_to("views.open")
    return opened.params


def element(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(block for block in view["blocks"] if block["block_id"] == block_id)["element"]


def test_create_ticket_click_opens_the_prefilled_modal(world, fake_slack, post_to_slack) -> None:
    payload = block_action("create_ticket", world["request"].pk)
    post_to_slack(form=interactive_form(payload))
    params = modal_of(fake_slack)
    assert params["trigger_id"] == payload["trigger_id"]
    view = params["view"]
    assert view["callback_id"] == "create_ticket"
    assert json.loads(view["private_metadata"]) == {
        "request_id": world["request"].pk,
        "alert_channel": "C0TRIAGE",
        "alert_ts": ALERT_TS,
    }
    title = element(view, "ticket_title")["initial_value"]
    assert title.startswith("Hi team, our nightly export to S3 failed again")
    assert len(title) <= 80
    assert element(view, "ticket_priority")["initial_option"]["value"] == "medium"
    assert [option["value"] for option in element(view, "ticket_priority")["options"]] == [
        "low",
        "medium",
        "high",
        "urgent",
    ]
    description = element(view, "ticket_description")["initial_value"]
    assert "Gina Globex" in description
    assert "#acme-globex" in description
    assert "archives/C0CUST1/p1741010712000100" in description


def test_modal_offers_the_enabled_providers_with_the_default_selected(
    world, fake_slack, post_to_slack
) -> None:
    TicketProviderFactory(workspace=world["workspace"], name="Alpha", key_prefix="ALP")
    default = TicketProviderFactory(
        workspace=world["workspace"], name="Support", key_prefix="SUP", is_default=True
    )
    TicketProviderFactory(workspace=world["workspace"], name="Old", is_enabled=False)
    post_to_slack(form=interactive_form(block_action("create_ticket", world["request"].pk)))
    provider = element(modal_of(fake_slack)["view"], "ticket_provider")
    assert [option["text"]["text"] for option in provider["options"]] == ["Support", "Alpha"]
    assert provider["initial_option"]["value"] == str(default.pk)


def test_private_channel_text_is_not_copied_into_the_modal(
    world, fake_slack, post_to_slack
) -> None:
    private = ChannelFactory(
        workspace=world["workspace"], channel_id="G0PRIV1", name="escalations", is_private=True
    )
    secret = RequestFactory(
        root_message=MessageFactory(
            channel=private, author=world["gina"], text="ACME-SECRET payroll export is broken"
        )
    )
    post_to_slack(form=interactive_form(block_action("create_ticket", secret.pk)))
    view = modal_of(fake_slack)["view"]
    assert element(view, "ticket_title")["initial_value"] == (
        f"Request #{secret.pk} from Gina Globex"
    )
    assert "ACME-SECRET" not in json.dumps(view)


def test_submission_creates_internal_ticket_req_1_and_posts_the_link(
    world, fake_slack, post_to_slack
) -> None:
    response = post_to_slack(form=interactive_form(submission(world["request"].pk)))
    assert response.status_code == 200
    assert response.content == b""  # a plain ack closes the modal
    ticket = Ticket.objects.get()
    assert ticket.external_key == "REQ-1"
    assert (ticket.number, ticket.priority, ticket.created_by) == (1, "high", world["vera"])
    assert ticket.title == "Globex nightly S3 export fails with 502"
    assert (ticket.provider.kind, ticket.provider.name) == ("internal", "Internal")
    event = RequestEvent.objects.get(kind="ticket_created")
    assert (event.actor, event.detail["key"]) == (world["vera"], "REQ-1")
    [link] = fake_slack.calls_to("chat.postMessage")[-1:]
    assert (link.params["channel"], link.params["thread_ts"]) == ("C0TRIAGE", ALERT_TS)
    assert "REQ-1" in link.params["text"]
    assert "REQ-1" in json.dumps(fake_slack.calls_to("chat.update")[-1].params["blocks"])


def test_the_picked_assignee_gets_the_request(world, fake_slack, post_to_slack) -> None:
    post_to_slack(form=interactive_form(submission(world["request"].pk)))
    assert Request.objects.get().assignee == world["vera"]  # the fixture picks U0VEND1


def test_ticket_numbers_are_sequential(world, fake_slack, post_to_slack) -> None:
    for _ in range(3):
        post_to_slack(form=interactive_form(submission(world["request"].pk)))
    assert sorted(Ticket.objects.values_list("external_key", flat=True)) == [
        "REQ-1",
        "REQ-2",
        "REQ-3",
    ]
    assert TicketProvider.objects.count() == 1


def test_link_goes_to_the_customer_thread_when_the_channel_asks(
    world, fake_slack, post_to_slack
) -> None:
    world["channel"].post_ticket_links_in_thread = True
    world["channel"].save(update_fields=["post_ticket_links_in_thread"])
    post_to_slack(form=interactive_form(submission(world["request"].pk)))
    link = fake_slack.calls_to("chat.postMessage")[-1]
    assert (link.params["channel"], link.params["thread_ts"]) == ("C0CUST1", ROOT_TS)


def test_empty_title_is_sent_back_as_a_modal_error(world, fake_slack, post_to_slack) -> None:
    response = post_to_slack(form=interactive_form(submission(world["request"].pk, title="   ")))
    assert response.json() == {
        "response_action": "errors",
        "errors": {"ticket_title": "Give the ticket a title."},
    }
    assert not Ticket.objects.exists()


def test_picking_a_customer_as_assignee_is_refused_under_the_picker(
    world, fake_slack, post_to_slack
) -> None:
    payload = submission(world["request"].pk)
    values = payload["view"]["state"]["values"]
    values["ticket_assignee"]["assignee_select"]["selected_user"] = "U0CUST1"
    response = post_to_slack(form=interactive_form(payload))
    assert response.json()["errors"] == {
        "ticket_assignee": "Gina Globex is not a member of the support team."
    }
    assert not Ticket.objects.exists()
    assert Request.objects.get().assignee is None


def test_provider_without_a_backend_is_refused_in_the_modal(
    world, fake_slack, post_to_slack
) -> None:
    jira = TicketProviderFactory(workspace=world["workspace"], name="Jira", kind="jira")
    response = post_to_slack(
        form=interactive_form(submission(world["request"].pk, provider_id=jira.pk))
    )
    assert response.json()["errors"] == {
        "ticket_provider": "provider kind jira is not available yet"
    }
    assert not Ticket.objects.exists()
    assert not RequestEvent.objects.filter(kind="ticket_created").exists()


def test_customer_clicking_create_ticket_gets_no_modal(world, fake_slack, post_to_slack) -> None:
    payload = block_action("create_ticket", world["request"].pk, user="U0CUST1", team="T0GLOBEX")
    post_to_slack(form=interactive_form(payload))
    assert fake_slack.calls_to("views.open") == []
    [reply] = fake_slack.calls_to("chat.postEphemeral")
    assert "support team" in reply.params["text"]


@pytest.mark.parametrize("status", ["discarded", "cancelled"])
def test_no_ticket_for_a_request_that_was_not_one(world, fake_slack, post_to_slack, status) -> None:
    Request.objects.filter(pk=world["request"].pk).update(status=status)
    response = post_to_slack(form=interactive_form(submission(world["request"].pk)))
    assert "no ticket can be created" in response.json()["errors"]["ticket_title"]
    assert not Ticket.objects.exists()


def test_modal_from_home_posts_the_link_in_the_alert_thread(
    world, fake_slack, post_to_slack
) -> None:
    post_to_slack(form=interactive_form(submission(world["request"].pk, alert=False)))
    link = fake_slack.calls_to("chat.postMessage")[-1]
    # No alert location in the form (opened from Home): the request's delivered alert.
    assert (link.params["channel"], link.params["thread_ts"]) == ("C0TRIAGE", ALERT_TS)
