"""The "Create ticket" modal: prefilled from the request, without private channels' text.

Block and action ids match ``view_submission_create_ticket.json``; the listener reads the
submission back through :func:`parse_create_ticket_submission`.
"""

import json
from dataclasses import dataclass
from typing import Any

from slack_integration.blocks.ids import CallbackId

TITLE_BLOCK, TITLE_ACTION = "ticket_title", "title_input"
PRIORITY_BLOCK, PRIORITY_ACTION = "ticket_priority", "priority_select"
DESCRIPTION_BLOCK, DESCRIPTION_ACTION = "ticket_description", "description_input"
ASSIGNEE_BLOCK, ASSIGNEE_ACTION = "ticket_assignee", "assignee_select"
PROVIDER_BLOCK, PROVIDER_ACTION = "ticket_provider", "provider_select"

PRIORITIES = [("low", "Low"), ("medium", "Medium"), ("high", "High"), ("urgent", "Urgent")]
DEFAULT_PRIORITY = "medium"
# Slack's own "Normal" wording (as in the payload fixture) means our "medium".
PRIORITY_ALIASES = {"normal": "medium"}
TITLE_PREFILL_CHARS = 80
TITLE_MAX_CHARS = 255
DESCRIPTION_MAX_CHARS = 3000


@dataclass(frozen=True)
class ModalContext:
    """What the modal is prefilled with, and where the click came from."""

    request_id: int
    title: str
    description: str
    providers: list[tuple[int, str]]  # (id, label), the default first
    default_provider_id: int | None
    assignee_user_id: str | None
    alert_channel: str | None
    alert_ts: str | None


@dataclass(frozen=True)
class TicketSubmission:
    """The modal's submitted values; ``errors`` maps block ids to messages when invalid."""

    request_id: int | None
    alert_channel: str | None
    alert_ts: str | None
    title: str
    description: str
    priority: str
    assignee_user_id: str | None
    provider_id: int | None
    errors: dict[str, str]


def prefill_title(*, text: str, is_private: bool, request_id: int, customer: str) -> str:
    """The first line of the message (at most 80 characters); a private channel's text is
    never copied: the title names the request and the customer instead."""
    if not is_private:
        first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
        if first_line:
            if len(first_line) <= TITLE_PREFILL_CHARS:
                return first_line
            return first_line[: TITLE_PREFILL_CHARS - 1].rstrip() + "…"
    return f"Request #{request_id} from {customer}"[:TITLE_PREFILL_CHARS]


def prefill_description(*, customer: str, channel_name: str, permalink: str) -> str:
    return f"Customer: {customer}\nChannel: #{channel_name}\nMessage: {permalink}"


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": label[:75]}, "value": value}


def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False
) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": {"type": "plain_text", "text": label},
        "element": element,
    }


def build_create_ticket_modal(context: ModalContext) -> dict[str, Any]:
    """The modal view for ``views.open``; ``private_metadata`` names the request and alert."""
    priority_options = [_option(value, label) for value, label in PRIORITIES]
    assignee: dict[str, Any] = {"type": "users_select", "action_id": ASSIGNEE_ACTION}
    if context.assignee_user_id:
        assignee["initial_user"] = context.assignee_user_id
    blocks = [
        _input(
            TITLE_BLOCK,
            "Title",
            {
                "type": "plain_text_input",
                "action_id": TITLE_ACTION,
                "initial_value": context.title,
                "max_length": TITLE_MAX_CHARS,
            },
        ),
        _input(
            PRIORITY_BLOCK,
            "Priority",
            {
                "type": "static_select",
                "action_id": PRIORITY_ACTION,
                "options": priority_options,
                "initial_option": priority_options[1],
            },
        ),
    ]
    if context.providers:
        provider_options = [_option(str(pk), label) for pk, label in context.providers]
        provider: dict[str, Any] = {
            "type": "static_select",
            "action_id": PROVIDER_ACTION,
            "options": provider_options,
        }
        default = next(
            (
                option
                for option in provider_options
                if option["value"] == str(context.default_provider_id)
            ),
            None,
        )
        provider["initial_option"] = default or provider_options[0]
        blocks.append(_input(PROVIDER_BLOCK, "Ticketing platform", provider))
    blocks += [
        _input(ASSIGNEE_BLOCK, "Assignee", assignee, optional=True),
        _input(
            DESCRIPTION_BLOCK,
            "Description",
            {
                "type": "plain_text_input",
                "action_id": DESCRIPTION_ACTION,
                "multiline": True,
                "initial_value": context.description[:DESCRIPTION_MAX_CHARS],
                "max_length": DESCRIPTION_MAX_CHARS,
            },
            optional=True,
        ),
    ]
    metadata = {
        "request_id": context.request_id,
        "alert_channel": context.alert_channel,
        "alert_ts": context.alert_ts,
    }
    return {
        "type": "modal",
        "callback_id": CallbackId.CREATE_TICKET,
        "private_metadata": json.dumps(metadata),
        "title": {"type": "plain_text", "text": "Create ticket"},
        "submit": {"type": "plain_text", "text": "Create"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def _value(values: dict[str, Any], block_id: str, action_id: str) -> dict[str, Any]:
    element = (values.get(block_id) or {}).get(action_id)
    return element if isinstance(element, dict) else {}


def _metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return metadata if isinstance(metadata, dict) else {}


def parse_create_ticket_submission(view: dict[str, Any]) -> TicketSubmission:
    """Reads a ``view_submission`` of the modal; never raises on odd input."""
    metadata = _metadata(view)
    values = (view.get("state") or {}).get("values") or {}
    title = " ".join(str(_value(values, TITLE_BLOCK, TITLE_ACTION).get("value") or "").split())
    description = str(_value(values, DESCRIPTION_BLOCK, DESCRIPTION_ACTION).get("value") or "")
    selected = _value(values, PRIORITY_BLOCK, PRIORITY_ACTION).get("selected_option") or {}
    priority = str(selected.get("value") or DEFAULT_PRIORITY)
    priority = PRIORITY_ALIASES.get(priority, priority)
    provider_option = _value(values, PROVIDER_BLOCK, PROVIDER_ACTION).get("selected_option")
    provider_value = str((provider_option or {}).get("value") or "")
    assignee = _value(values, ASSIGNEE_BLOCK, ASSIGNEE_ACTION).get("selected_user")
    request_id = metadata.get("request_id")
    errors: dict[str, str] = {}
    if not title:
        errors[TITLE_BLOCK] = "Give the ticket a title."
    elif len(title) > TITLE_MAX_CHARS:
        errors[TITLE_BLOCK] = f"Keep the title under {TITLE_MAX_CHARS} characters."
    if priority not in {value for value, _ in PRIORITIES}:
        errors[PRIORITY_BLOCK] = "Choose a priority from the list."
    return TicketSubmission(
        request_id=request_id if isinstance(request_id, int) else None,
        alert_channel=str(metadata["alert_channel"]) if metadata.get("alert_channel") else None,
        alert_ts=str(metadata["alert_ts"]) if metadata.get("alert_ts") else None,
        title=title,
        description=description[:DESCRIPTION_MAX_CHARS],
        priority=priority,
        assignee_user_id=str(assignee) if assignee else None,
        provider_id=int(provider_value) if provider_value.isdigit() else None,
        errors=errors,
    )
