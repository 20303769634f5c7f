"""The alert's (and the Home tab's) request buttons: assign, close, discard, hold, undo.

Each button calls its ``requests_app`` service; the service writes the timeline and
re-renders the request's alerts (``chat.update``). When the action cannot apply (closed by
someone else, discarded, the clicker is not on the support team) the clicker gets the
service's message as an ephemeral reply, and nothing changes.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltContext

from requests_app.models import EventSource, Request, RequestStatus
from requests_app.selectors import get_my_summary
from requests_app.services.actions import (
    Actor,
    assign_request,
    close_request,
    discard_request,
    hold_request,
    undo_last_action,
)
from slack_integration.blocks.ids import ActionId
from slack_integration.blocks.summary import build_summary_blocks, summary_fallback_text
from slack_integration.client import SlackError, call, client_for
from slack_integration.models import SlackUser, Workspace
from slack_integration.services.directory import get_user
from slack_integration.services.home import publish_home
from slack_integration.services.interactions import (
    after_assignment,
    after_close,
    after_reopen,
    channel_of,
    clicker_for,
    get_workspace,
    is_from_home,
    log_rejected,
    reply_to_clicker,
    request_for_action,
)
from thena.errors import DomainError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Click:
    """A button press resolved: where, on which request, by whom."""

    workspace: Workspace
    customer_request: Request
    clicker: SlackUser
    body: dict[str, Any]

    @property
    def actor(self) -> Actor:
        return Actor(slack_user=self.clicker, source=EventSource.SLACK)


def _assign_to_me(click: Click) -> None:
    customer_request = assign_request(
        customer_request=click.customer_request, assignee=click.clicker, actor=click.actor
    )
    after_assignment(click.workspace, customer_request, click.clicker, click.actor)


def _assign_other(click: Click) -> None:
    selected = str((click.body.get("actions") or [{}])[0].get("selected_user") or "")
    if not selected:
        return  # the picker was cleared: nothing to do
    assignee = get_user(click.workspace, selected)
    customer_request = assign_request(
        customer_request=click.customer_request, assignee=assignee, actor=click.actor
    )
    after_assignment(click.workspace, customer_request, assignee, click.actor)


def _close(click: Click) -> None:
    customer_request = close_request(customer_request=click.customer_request, actor=click.actor)
    after_close(click.workspace, customer_request)


def _discard(click: Click) -> None:
    discard_request(customer_request=click.customer_request, actor=click.actor)


def _hold(click: Click) -> None:
    hold_request(customer_request=click.customer_request, actor=click.actor)


def _undo(click: Click) -> None:
    was_closed = click.customer_request.status == RequestStatus.CLOSED
    customer_request = undo_last_action(customer_request=click.customer_request, actor=click.actor)
    after_reopen(click.workspace, customer_request, was_closed=was_closed)


# Each raises a DomainError when the action cannot apply.
PERFORMERS: dict[ActionId, Callable[[Click], None]] = {
    ActionId.ASSIGN_TO_ME: _assign_to_me,
    ActionId.ASSIGN_OTHER: _assign_other,
    ActionId.CLOSE_REQUEST: _close,
    ActionId.DISCARD_REQUEST: _discard,
    ActionId.WAIT_ON_CUSTOMER: _hold,
    ActionId.UNDO: _undo,
}


def handle_request_action(action_id: ActionId, body: dict[str, Any], team_id: str | None) -> None:
    """Resolves who clicked on which request, performs the action, replies on failure.

    From the Home tab the tab is republished afterwards, so it shows the new state.
    """
    workspace = get_workspace(team_id)
    try:
        click = Click(
            workspace=workspace,
            customer_request=request_for_action(workspace, body),
            clicker=clicker_for(workspace, body),
            body=body,
        )
        PERFORMERS[action_id](click)
    except DomainError as error:
        log_rejected(action_id, body, error)
        reply_to_clicker(workspace, body, error.message)
        return
    logger.info(
        "slack.action_done",
        extra={"action_id": action_id, "request_id": click.customer_request.pk},
    )
    if is_from_home(body):
        _republish_home(workspace, click.clicker)


def _republish_home(workspace: Workspace, user: SlackUser, page: int = 1) -> None:
    try:
        publish_home(workspace, user, page=page)
    except SlackError as error:
        logger.warning("home.publish_failed", extra={"user_id": user.user_id, "error": error.error})


def show_summary_page(body: dict[str, Any], team_id: str | None) -> None:
    """The "Next page" button. On the Home tab the tab is republished at that page; under
    `/my summary` (an ephemeral message, which only ``response_url`` could edit) a new
    ephemeral message shows the page."""
    workspace = get_workspace(team_id)
    action = (body.get("actions") or [{}])[0]
    page = int(action["value"]) if str(action.get("value") or "").isdigit() else 1
    clicker = clicker_for(workspace, body)
    if is_from_home(body):
        _republish_home(workspace, clicker, page)
        return
    if not clicker.is_internal:
        return
    summary = get_my_summary(assignee=clicker, page=page)
    try:
        call(
            client_for(workspace),
            "chat.postEphemeral",
            channel=channel_of(body),
            user=clicker.user_id,
            text=summary_fallback_text(summary),
            blocks=build_summary_blocks(summary),
        )
    except SlackError as error:
        logger.warning(
            "slack.summary_page_failed", extra={"user_id": clicker.user_id, "error": error.error}
        )


def register_action_listeners(app: App) -> None:
    def make_listener(action_id: ActionId) -> Callable[..., None]:
        def on_request_action(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
            ack()
            handle_request_action(action_id, body, context.team_id)

        on_request_action.__name__ = f"on_{action_id.value}"
        return on_request_action

    for action_id in PERFORMERS:
        app.action(action_id)(make_listener(action_id))

    @app.action(ActionId.SUMMARY_PAGE)
    def on_summary_page(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        show_summary_page(body, context.team_id)
