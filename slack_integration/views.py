"""The one Slack endpoint (events, interactivity, commands) and the OAuth install pages.

Before Bolt sees a POST, the signature and timestamp are checked (401) and the body is
parsed (400 with a message), so no input a client controls reaches a 500.
"""

import json
import logging
from urllib.parse import parse_qs

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from slack_bolt.adapter.django import SlackRequestHandler
from slack_sdk.signature import SignatureVerifier

from slack_integration.bolt import get_app

logger = logging.getLogger(__name__)


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse(
        {
            "error": {
                "code": "invalid_request" if status == 400 else "unauthorized",
                "message": message,
            }
        },
        status=status,
    )


def _body_problem(request: HttpRequest) -> str | None:
    """Why the body cannot be a Slack payload, or None if it looks like one."""
    content_type = request.content_type or ""
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        return "body is not UTF-8"
    if content_type == "application/json":
        try:
            payload = json.loads(text)
        except ValueError as error:
            return f"malformed JSON body: {error}"
        if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
            return "JSON body must be an object with a `type`"
        if payload["type"] == "event_callback" and not (
            isinstance(payload.get("event_id"), str) and isinstance(payload.get("event"), dict)
        ):
            return "event_callback needs a string `event_id` and an `event` object"
        return None
    if content_type == "application/x-www-form-urlencoded":
        form = parse_qs(text)
        if "payload" in form:
            try:
                payload = json.loads(form["payload"][0])
            except ValueError as error:
                return f"malformed `payload` JSON: {error}"
            if not isinstance(payload, dict) or "type" not in payload:
                return "`payload` must be an object with a `type`"
        elif "command" not in form and "ssl_check" not in form:
            return "form body needs `payload` or `command`"
        return None
    return f"unsupported content type {content_type or '(none)'}"


@csrf_exempt
def slack_events(request: HttpRequest) -> HttpResponse:
    """POST /slack/events: verify, validate, then let Bolt route it."""
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    if not settings.SLACK_SIGNING_SECRET:
        return JsonResponse(
            {"error": {"code": "not_configured", "message": "SLACK_SIGNING_SECRET is not set"}},
            status=503,
        )
    verifier = SignatureVerifier(settings.SLACK_SIGNING_SECRET)
    if not verifier.is_valid_request(request.body, dict(request.headers)):
        logger.warning("slack.bad_signature", extra={"path": request.path})
        return _error(401, "invalid or stale request signature")
    problem = _body_problem(request)
    if problem is not None:
        logger.warning("slack.bad_body", extra={"problem": problem.split(":")[0]})
        return _error(400, problem)
    return SlackRequestHandler(app=get_app()).handle(request)


def slack_oauth(request: HttpRequest) -> HttpResponse:
    """GET /slack/install and /slack/oauth_redirect: Bolt's OAuth flow (OAuth mode only)."""
    if not (settings.SLACK_CLIENT_ID and settings.SLACK_SIGNING_SECRET):
        return JsonResponse(
            {
                "error": {
                    "code": "not_configured",
                    "message": "OAuth needs SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and "
                    "SLACK_SIGNING_SECRET",
                }
            },
            status=404,
        )
    return SlackRequestHandler(app=get_app()).handle(request)
