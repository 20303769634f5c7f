"""The only WebClient factory, and Slack Web API errors mapped to our own classes.

Every client honours ``SLACK_API_BASE_URL``, so tests and ``simulate`` can point the whole
app at a loopback server that speaks the Web API.
"""

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler

from slack_integration.models import Workspace

logger = logging.getLogger(__name__)

WEB_API_TIMEOUT_SECONDS = 10


class SlackError(Exception):
    """A failed Web API call. ``is_transient`` says whether retrying may help."""

    is_transient = False

    def __init__(self, method: str, error: str):
        super().__init__(f"{method}: {error}")
        self.method = method
        self.error = error


class SlackTransientError(SlackError):
    is_transient = True


class SlackRateLimitedError(SlackTransientError):
    def __init__(self, method: str, retry_after: float):
        super().__init__(method, "ratelimited")
        self.retry_after = retry_after


class SlackTokenRevokedError(SlackError):
    """The token no longer works (uninstalled, revoked): stop using this workspace."""


class SlackChannelNotFoundError(SlackError):
    """The channel is gone or the bot is not in it."""


class SlackPermanentError(SlackError):
    """Any other error Slack reports; retrying the same call will fail the same way."""


_REVOKED = {
    "invalid_auth",
    "account_inactive",
    "token_revoked",
    "token_expired",
    "not_authed",
    "team_disabled",
}
_CHANNEL_GONE = {"channel_not_found", "not_in_channel", "is_archived", "channel_is_archived"}
_TRANSIENT = {"internal_error", "fatal_error", "service_unavailable", "request_timeout"}


def make_client(token: str | None = None) -> WebClient:
    """A WebClient for ``token`` against ``SLACK_API_BASE_URL``.

    It retries once on a dropped connection; rate limits and server errors surface as
    :class:`SlackTransientError` so the caller (a Celery task) decides when to retry instead
    of sleeping inside a request.
    """
    base_url = settings.SLACK_API_BASE_URL
    if not base_url.endswith("/"):
        base_url += "/"
    return WebClient(
        token=token,
        base_url=base_url,
        timeout=WEB_API_TIMEOUT_SECONDS,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1)],
    )


def client_for(workspace: Workspace) -> WebClient:
    """A WebClient with the workspace's bot token (or the single-workspace token)."""
    return make_client(workspace.bot_token or settings.SLACK_BOT_TOKEN or None)


def call(client: WebClient, method: str, **params: Any) -> dict[str, Any]:
    """Calls a Web API method and returns its data, raising a :class:`SlackError` on failure."""
    api: Callable[..., Any] = getattr(client, method.replace(".", "_"), None) or (
        lambda **kwargs: client.api_call(method, params=kwargs)
    )
    try:
        response = api(**params)
    except SlackApiError as error:
        raise _map_api_error(method, error) from error
    except SlackClientError as error:
        raise SlackTransientError(method, type(error).__name__) from error
    except OSError as error:  # timeouts, refused connections
        raise SlackTransientError(method, type(error).__name__) from error
    return response.data if isinstance(response.data, dict) else {}


def _map_api_error(method: str, error: SlackApiError) -> SlackError:
    response = error.response
    status = response.status_code
    code = response.get("error", "") if isinstance(response.data, dict) else ""
    if status == 429 or code == "ratelimited":
        retry_after = float(
            response.headers.get("Retry-After", response.headers.get("retry-after", 30))
        )
        return SlackRateLimitedError(method, retry_after)
    if status >= 500 or code in _TRANSIENT:
        return SlackTransientError(method, code or f"http_{status}")
    if code in _REVOKED:
        return SlackTokenRevokedError(method, code)
    if code in _CHANNEL_GONE:
        return SlackChannelNotFoundError(method, code)
    return SlackPermanentError(method, code or f"http_{status}")
