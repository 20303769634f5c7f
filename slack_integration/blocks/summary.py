"""`/my summary` and the App Home tab: pure builders from the summary view models.

No customer text appears here, only metadata; the permalink is a button URL, as in alerts.
"""

from typing import Any

from requests_app.selectors import MySummary, SLAState, SummaryItem, TeamCounts
from slack_integration.blocks.alerts import duration_text
from slack_integration.blocks.ids import ActionId, request_value

# Block ids of this surface (ids.py is shared; these are only read back by tests).
PAGINATION_BLOCK_ID = "summary_pagination"

HELP_TEXT = (
    "*`/my` shows your work.*\n"
    "• `/my summary` (or just `/my`): the requests assigned to you, most urgent first, "
    "with their SLA state, ticket and a link to the customer's message.\n"
    "• `/my help`: this list.\n"
    "The *Home* tab of the app shows the same list, your team's counts and buttons to act."
)
EMPTY_TEXT = (
    ":sunny: *Nothing is assigned to you right now.* New requests arrive as alerts in the "
    "triage channel; press *Assign to me* on one to see it here."
)


def escape(text: str) -> str:
    """Escapes the three characters mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def usage_text(text: str) -> str:
    shown = escape(text.strip()[:40])
    return f"I don't know `/my {shown}`. Try `/my summary` or `/my help`."


def sla_text(sla: SLAState | None) -> str:
    """The SLA state in a few words: how long breached, time left, or paused."""
    if sla is None:
        return ":white_circle: No SLA"
    if sla.seconds_left is None:
        return f":double_vertical_bar: {sla.kind_label} SLA paused (waiting on the customer)"
    if sla.is_breached:
        return f":red_circle: {sla.kind_label} SLA breached {duration_text(-sla.seconds_left)} ago"
    marker = ":large_orange_circle:" if sla.seconds_left < 3600 else ":large_green_circle:"
    return f"{marker} {sla.kind_label} due in {duration_text(sla.seconds_left)}"


def _ticket_text(item: SummaryItem) -> str:
    if not item.ticket_key:
        return "no ticket"
    key = escape(item.ticket_key)
    return f":ticket: <{item.ticket_url}|{key}>" if item.ticket_url else f":ticket: {key}"


def item_text(item: SummaryItem) -> str:
    return (
        f"*#{item.request_id} · {escape(item.customer)}* in <#{item.channel_id}> · "
        f"{item.status_label}\n"
        f"{sla_text(item.sla)}  ·  asked {duration_text(item.age_seconds)} ago  ·  "
        f"{_ticket_text(item)}"
    )


def item_block(item: SummaryItem) -> dict[str, Any]:
    """One request: its facts, and the customer's message behind an "Open" button."""
    return {
        "type": "section",
        "block_id": f"summary_item:{item.request_id}",
        "text": {"type": "mrkdwn", "text": item_text(item)},
        "accessory": {
            "type": "button",
            "action_id": ActionId.OPEN_MESSAGE,
            "text": {"type": "plain_text", "text": "Open"},
            "url": item.permalink,
        },
    }


def header_text(summary: MySummary) -> str:
    noun = "request" if summary.total == 1 else "requests"
    text = f"*You have {summary.total} open {noun}* ({summary.breached} breached)"
    if summary.page_count > 1:
        last = summary.first_position + len(summary.items) - 1
        text += (
            f" · showing {summary.first_position}-{last}, most urgent first "
            f"(page {summary.page} of {summary.page_count})"
        )
    return text


def _page_button(summary: MySummary) -> dict[str, Any] | None:
    """The "Next page" button, or on the last page "Back to the first page"."""
    if summary.has_next:
        label, page = "Next page", summary.page + 1
    elif summary.page > 1:
        label, page = "Back to the first page", 1
    else:
        return None
    return {
        "type": "actions",
        "block_id": PAGINATION_BLOCK_ID,
        "elements": [
            {
                "type": "button",
                "action_id": ActionId.SUMMARY_PAGE,
                "value": str(page),
                "text": {"type": "plain_text", "text": label},
            }
        ],
    }


def summary_fallback_text(summary: MySummary) -> str:
    if not summary.total:
        return "Nothing is assigned to you right now."
    return f"You have {summary.total} open requests ({summary.breached} breached)."


def build_summary_blocks(summary: MySummary) -> list[dict[str, Any]]:
    """The `/my summary` message: header, one section per request, pagination."""
    if not summary.total:
        return [{"type": "section", "text": {"type": "mrkdwn", "text": EMPTY_TEXT}}]
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": header_text(summary)}},
        {"type": "divider"},
    ]
    blocks += [item_block(item) for item in summary.items]
    page_button = _page_button(summary)
    if page_button is not None:
        blocks.append(page_button)
    return blocks


def build_help_blocks() -> list[dict[str, Any]]:
    return [{"type": "section", "text": {"type": "mrkdwn", "text": HELP_TEXT}}]


def _home_item_actions(item: SummaryItem) -> dict[str, Any]:
    value = request_value(item.request_id)
    elements: list[dict[str, Any]] = []
    if not item.ticket_key:
        elements.append(
            {
                "type": "button",
                "action_id": ActionId.CREATE_TICKET,
                "value": value,
                "text": {"type": "plain_text", "text": "Create ticket"},
            }
        )
    if item.status != "on_hold":
        elements.append(
            {
                "type": "button",
                "action_id": ActionId.WAIT_ON_CUSTOMER,
                "value": value,
                "text": {"type": "plain_text", "text": "Waiting on customer"},
            }
        )
    elements.append(
        {
            "type": "button",
            "action_id": ActionId.CLOSE_REQUEST,
            "value": value,
            "style": "primary",
            "text": {"type": "plain_text", "text": "Close"},
        }
    )
    return {"type": "actions", "block_id": f"home_actions:{item.request_id}", "elements": elements}


def _team_block(counts: TeamCounts) -> dict[str, Any]:
    return {
        "type": "section",
        "block_id": "home_team",
        "fields": [
            {"type": "mrkdwn", "text": f"*Team: open*\n{counts.open}"},
            {"type": "mrkdwn", "text": f"*Team: breached*\n{counts.breached}"},
            {"type": "mrkdwn", "text": f"*Team: unassigned*\n{counts.unassigned}"},
        ],
    }


def build_home_view(summary: MySummary, counts: TeamCounts) -> dict[str, Any]:
    """The Home tab: the caller's summary with buttons per request, and the team's counts.

    Each request takes two blocks, so a page of 20 stays well under Home's 100-block limit.
    """
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Your requests"}},
        {
            "type": "section",
            "block_id": "home_header",
            "text": {
                "type": "mrkdwn",
                "text": header_text(summary) if summary.total else EMPTY_TEXT,
            },
        },
        _team_block(counts),
        {"type": "divider"},
    ]
    for item in summary.items:
        blocks += [item_block(item), _home_item_actions(item)]
    page_button = _page_button(summary)
    if page_button is not None:
        blocks.append(page_button)
    blocks.append(
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": "Type `/my help` in any channel for the commands."}
            ],
        }
    )
    return {"type": "home", "blocks": blocks}


def build_outsider_home_view() -> dict[str, Any]:
    """The Home tab for someone outside the support team (nothing of the team's work)."""
    return {
        "type": "home",
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": "This app is used by the support team to track customer "
                    "requests. There is nothing here for you.",
                },
            }
        ],
    }
