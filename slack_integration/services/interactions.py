"""Edge helpers for interactivity: who clicked, on what, and the Slack side effects.

Listeners resolve the workspace, the request (tenancy: another workspace's request is "not
found") and the actor here, call one ``requests_app`` service, and then the follow-ups
below run: a DM to the new assignee, reactions mirrored on the customer's message, an
ephemeral reply when the action could not apply. A failed follow-up is logged and never
undoes the action the user took.
"""

import logging
from typing import Any

from alerts.models import Alert, DeliveryStatus
from requests_app.models import EventSource, Request
from requests_app.selectors import get_request_for_workspace
from requests_app.services.actions import Actor
from slack_integration.blocks.ids import parse_request_value
from slack_integration.client import SlackError, call, client_for
from slack_integration.models import SlackUser, Workspace
from slack_integration.services.directory import get_user
from thena.errors import DomainError, NotFoundError
from tickets.models import Ticket

logger = logging.getLogger(__name__)

ASSIGNED_REACTION = "eyes"
CLOSED_REACTION = "white_check_mark"


class WorkspaceNotFoundError(NotFoundError):
    code = "workspace_not_found"


def get_workspace(team_id: str | None) -> Workspace:
    """The active installation for ``team_id`` (Bolt's ``context.team_id``)."""
    workspace = Workspace.objects.filter(team_id=team_id or "", is_active=True).first()
    if workspace is None:
        raise WorkspaceNotFoundError("This Slack workspace is not set up for the app.")
    return workspace


def clicker_id(body: dict[str, Any]) -> str:
    return str((body.get("user") or {}).get("id") or "")


def clicker_for(workspace: Workspace, body: dict[str, Any]) -> SlackUser:
    """The person who clicked. Their team comes with the payload, so a customer clicking in
    a shared channel is external, and the services refuse them (NotInternalUserError)."""
    user = body.get("user") or {}
    return get_user(workspace, str(user.get("id") or ""), team_id=str(user.get("team_id") or ""))


def actor_for(workspace: Workspace, body: dict[str, Any]) -> Actor:
    return Actor(slack_user=clicker_for(workspace, body), source=EventSource.SLACK)


def channel_of(body: dict[str, Any]) -> str | None:
    """The channel the click happened in (None on the App Home tab)."""
    container = body.get("container") or {}
    return container.get("channel_id") or (body.get("channel") or {}).get("id") or None


def _values_in_block(body: dict[str, Any], block_id: str) -> list[str]:
    surface = body.get("message") or body.get("view") or {}
    for block in surface.get("blocks") or []:
        if isinstance(block, dict) and block.get("block_id") == block_id:
            return [
                str(element.get("value") or "")
                for element in block.get("elements") or []
                if isinstance(element, dict)
            ]
    return []


def request_id_of(body: dict[str, Any]) -> int:
    """The request an action is about: the element's ``request:N`` value, or for a select
    (which carries no value) the value of a button in the same block."""
    action = (body.get("actions") or [{}])[0]
    request_id = parse_request_value(action.get("value"))
    if request_id is None:
        candidates = _values_in_block(body, str(action.get("block_id") or ""))
        request_id = next(
            (parsed for parsed in map(parse_request_value, candidates) if parsed is not None), None
        )
    if request_id is None:
        raise NotFoundError("This button does not belong to a request any more.")
    return request_id


def request_for_action(workspace: Workspace, body: dict[str, Any]) -> Request:
    return get_request_for_workspace(workspace=workspace, request_id=request_id_of(body))


def is_from_home(body: dict[str, Any]) -> bool:
    return (body.get("container") or {}).get("type") == "view" or (
        (body.get("view") or {}).get("type") == "home"
    )


def _post_dm(workspace: Workspace, user_id: str, **message: Any) -> None:
    client = client_for(workspace)
    channel = call(client, "conversations.open", users=user_id).get("channel") or {}
    call(
        client,
        "chat.postMessage",
        channel=channel.get("id") or user_id,
        unfurl_links=False,
        unfurl_media=False,
        **message,
    )


def reply_to_clicker(workspace: Workspace, body: dict[str, Any], text: str) -> None:
    """Tells the clicker why nothing happened: ephemerally where they clicked, or, from the
    App Home tab (no channel to be ephemeral in), in their DM with the app."""
    user_id = clicker_id(body)
    channel_id = channel_of(body)
    try:
        if channel_id and not is_from_home(body):
            call(
                client_for(workspace),
                "chat.postEphemeral",
                channel=channel_id,
                user=user_id,
                text=text,
            )
        else:
            _post_dm(workspace, user_id, text=text)
    except SlackError as error:
        logger.warning("slack.reply_failed", extra={"user_id": user_id, "error": error.error})


def notify_assignee(
    workspace: Workspace, customer_request: Request, assignee: SlackUser, actor: Actor
) -> None:
    """DMs the new assignee a link to the customer's message (as a button, no unfurl)."""
    if actor.slack_user is None:
        who = "You were assigned"
    elif actor.slack_user.pk == assignee.pk:
        who = "You took"
    else:
        who = f"<@{actor.slack_user.user_id}> assigned you"
    text = (
        f"{who} request #{customer_request.pk} from {customer_request.customer.label} "
        f"in <#{customer_request.channel.channel_id}>."
    )
    blocks = [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": text},
            "accessory": {
                "type": "button",
                "action_id": "open_message",
                "text": {"type": "plain_text", "text": "Open message"},
                "url": customer_request.root_message.permalink,
            },
        }
    ]
    try:
        _post_dm(workspace, assignee.user_id, text=text, blocks=blocks)
    except SlackError as error:
        logger.warning(
            "slack.assignee_dm_failed",
            extra={
                "request_id": customer_request.pk,
                "user_id": assignee.user_id,
                "error": error.error,
            },
        )


def _react(
    workspace: Workspace, customer_request: Request, name: str, *, remove: bool = False
) -> None:
    """Adds (or removes) the bot's reaction on the customer's message, if the channel
    mirrors state as reactions. "Already there" and "not there" are fine."""
    channel = customer_request.channel
    if not channel.sync_reactions:
        return
    method = "reactions.remove" if remove else "reactions.add"
    try:
        call(
            client_for(workspace),
            method,
            channel=channel.channel_id,
            timestamp=customer_request.root_message.ts,
            name=name,
        )
    except SlackError as error:
        if error.error in ("already_reacted", "no_reaction"):
            return
        logger.warning(
            "slack.reaction_failed",
            extra={"request_id": customer_request.pk, "method": method, "error": error.error},
        )


def after_assignment(
    workspace: Workspace,
    customer_request: Request,
    assignee: SlackUser,
    actor: Actor,
    *,
    mirror: bool = True,
) -> None:
    notify_assignee(workspace, customer_request, assignee, actor)
    if mirror:
        _react(workspace, customer_request, ASSIGNED_REACTION)


def after_close(workspace: Workspace, customer_request: Request) -> None:
    _react(workspace, customer_request, CLOSED_REACTION)


def after_reopen(workspace: Workspace, customer_request: Request, *, was_closed: bool) -> None:
    """An undone close takes the bot's check mark away again."""
    if was_closed:
        _react(workspace, customer_request, CLOSED_REACTION, remove=True)


def _ticket_link_target(
    customer_request: Request, alert_channel: str | None, alert_ts: str | None
) -> tuple[str, str] | None:
    channel = customer_request.channel
    if channel.post_ticket_links_in_thread:
        return channel.channel_id, customer_request.root_message.root_ts
    if alert_channel and alert_ts:
        return alert_channel, alert_ts
    alert = (
        Alert.objects.filter(request=customer_request, status=DeliveryStatus.SENT)
        .exclude(slack_ts="")
        .order_by("created_at", "pk")
        .first()
    )
    if alert is not None:
        return alert.slack_channel or alert.destination, alert.slack_ts
    return None


def post_ticket_link(
    workspace: Workspace,
    customer_request: Request,
    ticket: Ticket,
    *,
    creator_user_id: str,
    alert_channel: str | None = None,
    alert_ts: str | None = None,
) -> None:
    """Posts the new ticket's key and URL in the triage alert's thread, or in the customer's
    thread when the channel asks for it, or (no alert known) in the creator's DM."""
    key = ticket.external_key
    link = f"<{ticket.url}|{key}>" if ticket.url else f"*{key}*"
    text = (
        f":ticket: Ticket {link} created for request #{customer_request.pk} by "
        f"<@{creator_user_id}>."
    )
    target = _ticket_link_target(customer_request, alert_channel, alert_ts)
    try:
        if target is None:
            _post_dm(workspace, creator_user_id, text=text)
        else:
            call(
                client_for(workspace),
                "chat.postMessage",
                channel=target[0],
                thread_ts=target[1],
                text=text,
                unfurl_links=False,
                unfurl_media=False,
            )
    except SlackError as error:
        logger.warning(
            "slack.ticket_link_failed",
            extra={"request_id": customer_request.pk, "ticket_id": ticket.pk, "error": error.error},
        )


def open_modal(workspace: Workspace, trigger_id: str, view: dict[str, Any]) -> None:
    """``views.open``; the trigger expires 3 s after the click, so call this first."""
    call(client_for(workspace), "views.open", trigger_id=trigger_id, view=view)


def log_rejected(action_id: str, body: dict[str, Any], error: DomainError) -> None:
    logger.info(
        "slack.action_rejected",
        extra={"action_id": action_id, "user_id": clicker_id(body), "code": error.code},
    )
