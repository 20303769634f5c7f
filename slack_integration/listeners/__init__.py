"""Bolt listeners for interactivity, slash commands and App Home.

Every listener is thin: it acks, parses the payload, calls one service and renders the
result (STYLE.md §2). With ``process_before_response=True`` they run in the request thread
before Slack gets its answer, so each keeps its Web API calls to the few it needs.
"""

from slack_bolt import Ack, App

from slack_integration.blocks.ids import ActionId
from slack_integration.listeners.actions import register_action_listeners
from slack_integration.listeners.commands import register_command_listeners
from slack_integration.listeners.tickets import register_ticket_listeners


def register_listeners(app: App) -> None:
    """Registers every listener on ``app``."""

    @app.action(ActionId.OPEN_MESSAGE)
    def on_open_message_clicked(ack: Ack) -> None:
        ack()  # a URL button: Slack opens the link; the click still needs an ack

    register_action_listeners(app)
    register_ticket_listeners(app)
    register_command_listeners(app)
