"""``/my``: ``summary`` (or nothing) lists the caller's requests, ``help`` the options.

The reply is the ack itself (``response_type: ephemeral`` in the HTTP 200 body): it arrives
within Slack's 3 s and needs no outbound call.
"""

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext

from requests_app.selectors import get_my_summary
from slack_integration.blocks.summary import (
    HELP_TEXT,
    build_help_blocks,
    build_summary_blocks,
    summary_fallback_text,
    usage_text,
)
from slack_integration.services.directory import get_user
from slack_integration.services.interactions import get_workspace

logger = logging.getLogger(__name__)

NOT_TEAM_TEXT = "Only members of the support team have requests to list."


def register_command_listeners(app: App) -> None:
    @app.command("/my")
    def on_my_command(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
        words = str(command.get("text") or "").strip().lower().split()
        option = words[0] if words else "summary"
        if option == "help":
            ack(response_type="ephemeral", text=HELP_TEXT, blocks=build_help_blocks())
            return
        if option != "summary":
            ack(response_type="ephemeral", text=usage_text(str(command.get("text") or "")))
            return
        workspace = get_workspace(context.team_id)
        user = get_user(workspace, str(command.get("user_id") or ""))
        if not user.is_internal:
            ack(response_type="ephemeral", text=NOT_TEAM_TEXT)
            return
        summary = get_my_summary(assignee=user)
        ack(
            response_type="ephemeral",
            text=summary_fallback_text(summary),
            blocks=build_summary_blocks(summary),
        )
        logger.info("slack.summary_shown", extra={"user_id": user.user_id, "total": summary.total})
