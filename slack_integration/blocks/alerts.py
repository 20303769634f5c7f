"""The alert message: metadata, an excerpt only for non-private channels, action buttons.

The permalink is a button URL, never message text, and the alert is posted with unfurls
off, so no private content can reach the triage channel through an unfurl.
"""

from datetime import datetime
from typing import Any

from alerts.selectors import AlertView
from slack_integration.blocks.ids import ActionId, BlockId, request_value

HEADLINES = {
    "request_detected": ":incoming_envelope: New customer request",
    "first_response_warning": ":hourglass_flowing_sand: First response due soon",
    "first_response_breached": ":rotating_light: First response SLA breached",
    "next_response_breached": ":rotating_light: Next response SLA breached",
    "resolution_warning": ":hourglass_flowing_sand: Resolution due soon",
    "resolution_breached": ":rotating_light: Resolution SLA breached",
    "escalation": ":fire: Escalation: SLA breach still open",
}


def slack_date(moment: datetime, fallback_format: str = "%Y-%m-%d %H:%M UTC") -> str:
    """A date Slack renders in the reader's own time zone."""
    return (
        f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|"
        f"{moment.strftime(fallback_format)}>"
    )


def duration_text(seconds: float) -> str:
    minutes = int(abs(seconds) // 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = [f"{days}d"] if days else []
    if hours:
        parts.append(f"{hours}h")
    if minutes or not parts:
        parts.append(f"{minutes}m")
    return " ".join(parts)


def alert_fallback_text(view: AlertView) -> str:
    """Notification text: metadata only, never the customer's words."""
    return (
        f"{HEADLINES.get(view.event, view.event_label)}: request #{view.request_id} from "
        f"{view.customer} in #{view.channel_name}"
    )


def _fields(view: AlertView) -> list[dict[str, str]]:
    fields = [
        f"*Customer*\n{view.customer}",
        f"*Channel*\n<#{view.channel_id}> ({view.segment})",
        f"*Detected*\n{slack_date(view.detected_at)}",
        f"*Status*\n{view.request_status_label}",
        f"*Assignee*\n{f'<@{view.assignee_id}>' if view.assignee_id else 'Unassigned'}",
    ]
    if view.ticket_key:
        link = f"<{view.ticket_url}|{view.ticket_key}>" if view.ticket_url else view.ticket_key
        fields.append(f"*Ticket*\n{link}")
    if view.due_at and view.breached_at:
        late = (view.breached_at - view.due_at).total_seconds()
        fields.append(
            f"*SLA*\ndue {slack_date(view.due_at)}, breached {duration_text(late)} late"
            if late >= 60
            else f"*SLA*\ndue {slack_date(view.due_at)}"
        )
    elif view.due_at:
        fields.append(f"*SLA due*\n{slack_date(view.due_at)}")
    return [{"type": "mrkdwn", "text": text} for text in fields]


def _actions(view: AlertView) -> dict[str, Any]:
    value = request_value(view.request_id)
    elements: list[dict[str, Any]] = [
        {
            "type": "button",
            "action_id": ActionId.OPEN_MESSAGE,
            "text": {"type": "plain_text", "text": "Open message"},
            "url": view.permalink,
        },
    ]
    if view.is_active:
        elements += [
            {
                "type": "button",
                "action_id": ActionId.CREATE_TICKET,
                "value": value,
                "text": {"type": "plain_text", "text": "Create ticket"},
            },
            {
                "type": "button",
                "action_id": ActionId.ASSIGN_TO_ME,
                "value": value,
                "text": {"type": "plain_text", "text": "Assign to me"},
            },
            {
                "type": "users_select",
                "action_id": ActionId.ASSIGN_OTHER,
                "placeholder": {"type": "plain_text", "text": "Assign to…"},
            },
            {
                "type": "button",
                "action_id": ActionId.CLOSE_REQUEST,
                "value": value,
                "style": "primary",
                "text": {"type": "plain_text", "text": "Close"},
            },
            {
                "type": "button",
                "action_id": ActionId.DISCARD_REQUEST,
                "value": value,
                "style": "danger",
                "text": {"type": "plain_text", "text": "Discard"},
                "confirm": {
                    "title": {"type": "plain_text", "text": "Discard this request?"},
                    "text": {
                        "type": "mrkdwn",
                        "text": "It is not a request. Similar messages "
                        "will be ignored from now on.",
                    },
                    "confirm": {"type": "plain_text", "text": "Discard"},
                    "deny": {"type": "plain_text", "text": "Keep"},
                },
            },
        ]
        if view.request_status != "on_hold":
            elements.insert(
                5,
                {
                    "type": "button",
                    "action_id": ActionId.WAIT_ON_CUSTOMER,
                    "value": value,
                    "text": {"type": "plain_text", "text": "Waiting on customer"},
                },
            )
    elif view.can_undo:
        elements.append(
            {
                "type": "button",
                "action_id": ActionId.UNDO,
                "value": value,
                "text": {"type": "plain_text", "text": "Undo"},
            }
        )
    return {"type": "actions", "block_id": BlockId.ALERT_ACTIONS, "elements": elements}


def build_alert_blocks(view: AlertView) -> list[dict[str, Any]]:
    """The alert's blocks, showing the request's current state and who acted last."""
    headline = HEADLINES.get(view.event, view.event_label)
    blocks: list[dict[str, Any]] = [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": f"*{headline}* · request #{view.request_id}"},
        },
        {"type": "section", "fields": _fields(view)},
    ]
    if view.excerpt:
        quoted = "\n".join(f">{line}" for line in view.excerpt.splitlines() or [""])
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": quoted}})
    elif view.is_private:
        blocks.append(
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": ":lock: Private channel: open the message to read it.",
                    }
                ],
            }
        )
    if view.first_response_at and view.first_responder and view.event != "request_detected":
        blocks.append(
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": f":white_check_mark: Answered by {view.first_responder} "
                        f"{slack_date(view.first_response_at)}",
                    }
                ],
            }
        )
    if view.last_action:
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": view.last_action}]}
        )
    blocks.append(_actions(view))
    return blocks
