"""The App Home tab: the caller's summary, the team's counts, and buttons to act.

``handle_app_home_opened`` runs in the worker (Events API payloads are stored first, see
``slack_integration.bolt``); ``publish_home`` also runs after an action taken from the tab,
so the tab shows the new state.
"""

import logging
from typing import Any

from requests_app.selectors import get_my_summary, get_team_counts
from slack_integration.blocks.summary import build_home_view, build_outsider_home_view
from slack_integration.client import SlackError, call, client_for
from slack_integration.models import SlackUser, Workspace
from slack_integration.services.directory import get_user

logger = logging.getLogger(__name__)

HOME_PAGE_SIZE = 20


def build_home_for(workspace: Workspace, user: SlackUser, *, page: int = 1) -> dict[str, Any]:
    if not user.is_internal:
        return build_outsider_home_view()
    summary = get_my_summary(assignee=user, page=page, page_size=HOME_PAGE_SIZE)
    return build_home_view(summary, get_team_counts(workspace=workspace))


def publish_home(workspace: Workspace, user: SlackUser, *, page: int = 1) -> None:
    """``views.publish`` of the user's Home tab. Raises :class:`SlackError` on failure."""
    call(
        client_for(workspace),
        "views.publish",
        user_id=user.user_id,
        view=build_home_for(workspace, user, page=page),
    )
    logger.info("home.published", extra={"user_id": user.user_id, "page": page})


def handle_app_home_opened(workspace: Workspace, event: dict[str, Any]) -> str:
    """``app_home_opened``: publishes the Home tab for ``event["user"]``.

    The Messages tab also sends this event (``tab: messages``); it needs nothing. A
    transient Slack error propagates so the event stays pending for the sweeper.
    """
    if event.get("tab", "home") != "home" or not event.get("user"):
        return "ignored"
    user = get_user(workspace, str(event["user"]))
    try:
        publish_home(workspace, user)
    except SlackError as error:
        if error.is_transient:
            raise
        logger.warning("home.publish_failed", extra={"user_id": user.user_id, "error": error.error})
        return "home_publish_failed"
    return "home_published"
