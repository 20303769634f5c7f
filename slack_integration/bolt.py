"""The Bolt App: request verification, authorization, and the Events API store-and-ack.

Events API payloads never reach a listener: a middleware stores them (deduplicated on
``event_id``) and acks at once; the worker processes them. Interactivity and slash
commands go to the listeners in ``slack_integration.listeners``.
"""

import logging
from functools import cache
from typing import Any

from django.conf import settings
from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.oauth.oauth_settings import OAuthSettings

from slack_integration.client import make_client
from slack_integration.listeners import register_listeners
from slack_integration.oauth import BOT_SCOPES, DjangoInstallationStore, DjangoOAuthStateStore
from slack_integration.services.inbound import record_inbound_event
from slack_integration.services.workspaces import get_installed_workspace

logger = logging.getLogger(__name__)


def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult | None:
    """Single-workspace mode: the workspace row (bootstrapped from SLACK_BOT_TOKEN)."""
    workspace = get_installed_workspace(team_id or "")
    if workspace is None:
        logger.warning("slack.unknown_team", extra={"team_id": team_id})
        return None
    return AuthorizeResult(
        enterprise_id=enterprise_id,
        team_id=workspace.team_id,
        bot_token=workspace.bot_token or settings.SLACK_BOT_TOKEN,
        bot_user_id=workspace.bot_user_id or None,
        bot_id=workspace.bot_id or None,
    )


def _retry_num(request: BoltRequest) -> int:
    values = request.headers.get("x-slack-retry-num") or ["0"]
    try:
        return int(values[0])
    except (TypeError, ValueError):
        return 0


def store_events_api_payload(req: BoltRequest, resp: BoltResponse, next: Any) -> BoltResponse:
    """Stores an event_callback and acks; anything else goes on to the listeners."""
    if req.body.get("type") != "event_callback":
        return next()
    record_inbound_event(payload=req.body, retry_num=_retry_num(req))
    return BoltResponse(status=200, body="")


@cache
def _build_app(signing_secret: str, base_url: str, client_id: str, client_secret: str) -> App:
    options: dict[str, Any] = {
        "signing_secret": signing_secret,
        "client": make_client(),
        # Listeners run in the request thread before the response: the event row is written
        # before Slack gets its ack, and tests see every effect when the response returns.
        "process_before_response": True,
        "token_verification_enabled": False,
        "logger": logging.getLogger("slack_bolt"),
    }
    if client_id:
        options["oauth_settings"] = OAuthSettings(
            client_id=client_id,
            client_secret=client_secret,
            scopes=BOT_SCOPES,
            installation_store=DjangoInstallationStore(),
            state_store=DjangoOAuthStateStore(expiration_seconds=600),
            install_path="/slack/install",
            redirect_uri_path="/slack/oauth_redirect",
        )
    else:
        options["authorize"] = authorize
    app = App(**options)
    app.middleware(store_events_api_payload)
    register_listeners(app)
    return app


def get_app() -> App:
    """The App for the current settings (built once per distinct configuration)."""
    return _build_app(
        settings.SLACK_SIGNING_SECRET,
        settings.SLACK_API_BASE_URL,
        settings.SLACK_CLIENT_ID,
        settings.SLACK_CLIENT_SECRET,
    )
