"""``reaction_added``: reactions as shortcuts for the request buttons.

- The workspace's request reaction (default :ticket:) on a customer message makes it a
  request, whatever detection said.
- :eyes: from a support team member on a customer message of a request assigns the request
  to them ("Assign to me"); :white_check_mark: closes it ("Close").

Anyone else's reactions are ignored. The bot's own mirrored reactions never get here: Bolt
drops the app's own events before they are stored.
"""

import logging
from typing import Any

from requests_app.selectors import get_request_of_customer_message
from requests_app.services.actions import Actor, assign_request, close_request
from requests_app.services.ingest import force_request
from slack_integration.models import Channel, Workspace
from slack_integration.services.directory import get_channel, get_user
from slack_integration.services.interactions import (
    ASSIGNED_REACTION,
    CLOSED_REACTION,
    after_assignment,
)
from thena.errors import DomainError

logger = logging.getLogger(__name__)


def _force_request(workspace: Workspace, event: dict[str, Any]) -> str:
    item = event["item"]
    channel = get_channel(workspace, item["channel"])
    reactor = get_user(workspace, event["user"]) if event.get("user") else None
    return force_request(
        channel=channel, ts=str(item.get("ts", "")), reactor=reactor, reaction=event["reaction"]
    ).outcome


def _act(workspace: Workspace, event: dict[str, Any]) -> str:
    item = event["item"]
    channel = Channel.objects.filter(workspace=workspace, channel_id=item.get("channel")).first()
    if channel is None or not event.get("user"):
        return "ignored"
    customer_request = get_request_of_customer_message(
        channel_id=channel.pk, ts=str(item.get("ts", ""))
    )
    if customer_request is None:
        return "ignored"
    reactor = get_user(workspace, str(event["user"]))
    if not reactor.is_internal:
        return "ignored"
    actor = Actor(slack_user=reactor)
    try:
        if event["reaction"] == ASSIGNED_REACTION:
            customer_request = assign_request(
                customer_request=customer_request, assignee=reactor, actor=actor
            )
            # The person's own :eyes: is on the message already: no mirrored one.
            after_assignment(workspace, customer_request, reactor, actor, mirror=False)
            return "request_assigned"
        close_request(customer_request=customer_request, actor=actor)
        return "request_closed"
    except DomainError as error:
        logger.info(
            "reactions.action_rejected",
            extra={
                "request_id": customer_request.pk,
                "user_id": reactor.user_id,
                "code": error.code,
            },
        )
        return "ignored"


def handle_reaction_added(workspace: Workspace, event: dict[str, Any]) -> str:
    item = event.get("item") or {}
    if item.get("type") != "message" or not item.get("channel"):
        return "ignored"
    reaction = event.get("reaction")
    if reaction == workspace.request_reaction:
        return _force_request(workspace, event)
    if reaction in (ASSIGNED_REACTION, CLOSED_REACTION):
        return _act(workspace, event)
    return "ignored"
