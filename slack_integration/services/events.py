"""Processing a stored Events API payload in the worker: parse, resolve, dispatch.

One function per event type translates the payload into calls of ``requests_app``
services. Unknown or irrelevant events are marked ignored, never retried forever.
"""

import logging
from datetime import UTC, datetime
from typing import Any

from django.db.models import F
from django.utils import timezone

from requests_app.services.ingest import (
    IncomingMessage,
    delete_message,
    ingest_customer_message,
    ingest_vendor_message,
    update_message_text,
)
from slack_integration.client import SlackTransientError
from slack_integration.models import InboundEvent, InboundEventStatus, Workspace
from slack_integration.services.directory import get_channel, get_user, update_channel
from slack_integration.services.home import handle_app_home_opened
from slack_integration.services.reactions import handle_reaction_added

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Message subtypes that are people talking; everything else (joins, topic changes...) is not.
CONVERSATION_SUBTYPES = {"", "thread_broadcast", "file_share", "me_message"}


def ts_to_datetime(ts: str) -> datetime:
    return datetime.fromtimestamp(float(ts), tz=UTC)


def workspaces_for(payload: dict[str, Any]) -> list[Workspace]:
    """Our installations this event concerns.

    In Slack Connect channels the outer ``team_id`` may be the other organisation, so the
    installations come from ``authorizations`` and ``context_team_id``. When both
    organisations installed the app, each sees the event from its own side.
    """
    team_ids = {
        str(item.get("team_id"))
        for item in payload.get("authorizations") or []
        if isinstance(item, dict) and item.get("team_id")
    }
    if payload.get("context_team_id"):
        team_ids.add(str(payload["context_team_id"]))
    if not team_ids and payload.get("team_id"):
        team_ids.add(str(payload["team_id"]))
    return list(Workspace.objects.filter(team_id__in=team_ids, is_active=True).order_by("pk"))


def _author_team(event: dict[str, Any]) -> str:
    profile = event.get("user_profile") or {}
    return str(
        event.get("user_team")
        or event.get("source_team")
        or profile.get("team")
        or event.get("team")
        or ""
    )


def handle_message(workspace: Workspace, event: dict[str, Any]) -> str:
    subtype = event.get("subtype") or ""
    if subtype == "message_changed":
        return _handle_changed(workspace, event)
    if subtype == "message_deleted":
        channel = get_channel(workspace, event["channel"])
        return delete_message(channel=channel, ts=str(event.get("deleted_ts", ""))).outcome
    if subtype not in CONVERSATION_SUBTYPES and subtype != "bot_message":
        return "ignored"
    channel = get_channel(workspace, event["channel"])
    is_bot = bool(event.get("bot_id")) or subtype == "bot_message" or not event.get("user")
    author = (
        None
        if is_bot and not event.get("user")
        else get_user(
            workspace, event["user"], team_id=_author_team(event), profile=event.get("user_profile")
        )
    )
    incoming = IncomingMessage(
        channel=channel,
        author=author,
        ts=str(event["ts"]),
        thread_ts=str(event.get("thread_ts") or ""),
        text=str(event.get("text") or ""),
        posted_at=ts_to_datetime(event["ts"]),
        subtype=subtype,
        bot_id=str(event.get("bot_id") or ""),
        is_auto_reply=is_bot,
    )
    if is_bot or author is None or author.is_bot:
        # Bots and workflows never open requests; vendor-side ones are kept as auto-replies,
        # which never count as a response.
        if author is not None and author.is_external:
            return "ignored"
        return ingest_vendor_message(incoming).outcome
    if author.is_internal:
        return ingest_vendor_message(incoming).outcome
    return ingest_customer_message(incoming).outcome


def _handle_changed(workspace: Workspace, event: dict[str, Any]) -> str:
    message = event.get("message") or {}
    if not message.get("ts"):
        return "ignored"
    channel = get_channel(workspace, event["channel"])
    edited = (message.get("edited") or {}).get("ts") or event.get("event_ts") or event.get("ts")
    return update_message_text(
        channel=channel,
        ts=str(message["ts"]),
        text=str(message.get("text") or ""),
        edited_at=ts_to_datetime(edited),
    ).outcome


def handle_member_joined(workspace: Workspace, event: dict[str, Any]) -> str:
    if event.get("user") != workspace.bot_user_id:
        return "ignored"
    get_channel(workspace, event["channel"], refresh=True)
    update_channel(workspace, event["channel"], is_member=True)
    return "channel_updated"


def handle_member_left(workspace: Workspace, event: dict[str, Any]) -> str:
    if event.get("user") != workspace.bot_user_id:
        return "ignored"
    update_channel(workspace, event["channel"], is_member=False)
    return "channel_updated"


def handle_channel_rename(workspace: Workspace, event: dict[str, Any]) -> str:
    channel = event.get("channel") or {}
    update_channel(workspace, channel["id"], name=str(channel.get("name") or "")[:255])
    return "channel_updated"


def handle_channel_refresh(workspace: Workspace, event: dict[str, Any]) -> str:
    """channel_shared / channel_unshared / archive: re-read the channel's facts."""
    channel_id = event.get("channel")
    if isinstance(channel_id, dict):
        channel_id = channel_id.get("id")
    get_channel(workspace, str(channel_id), refresh=True)
    return "channel_updated"


HANDLERS = {
    "message": handle_message,
    "reaction_added": handle_reaction_added,
    "app_home_opened": handle_app_home_opened,
    "member_joined_channel": handle_member_joined,
    "member_left_channel": handle_member_left,
    "channel_rename": handle_channel_rename,
    "group_rename": handle_channel_rename,
    "channel_shared": handle_channel_refresh,
    "channel_unshared": handle_channel_refresh,
    "channel_archive": handle_channel_refresh,
    "channel_unarchive": handle_channel_refresh,
    "group_archive": handle_channel_refresh,
    "group_unarchive": handle_channel_refresh,
}


def dispatch(payload: dict[str, Any]) -> str:
    """Runs the handler of the payload's event type for each installation it concerns."""
    event = payload.get("event") or {}
    handler = HANDLERS.get(str(event.get("type", "")))
    if handler is None:
        return "ignored"
    workspaces = workspaces_for(payload)
    if not workspaces:
        logger.warning("ingest.unknown_workspace", extra={"event_id": payload.get("event_id")})
        return "ignored"
    outcomes = [handler(workspace, event) for workspace in workspaces]
    return "processed" if any(outcome != "ignored" for outcome in outcomes) else "ignored"


def process_inbound_event(*, inbound_event_id: int) -> str | None:
    """Processes one stored event; safe to run twice (a processed row is skipped).

    A transient Slack error leaves the row pending for the sweeper; any other error is
    recorded and, after MAX_ATTEMPTS, the row is marked failed rather than retried forever.
    """
    inbound = InboundEvent.objects.filter(pk=inbound_event_id).first()
    if inbound is None or inbound.status != InboundEventStatus.PENDING:
        return None
    InboundEvent.objects.filter(pk=inbound.pk).update(attempts=F("attempts") + 1)
    attempts = inbound.attempts + 1
    try:
        outcome = dispatch(inbound.payload)
    except SlackTransientError as error:
        InboundEvent.objects.filter(pk=inbound.pk).update(last_error=str(error)[:2000])
        logger.warning("ingest.transient_failure", extra={"event_id": inbound.event_id})
        return None
    except Exception as error:  # task boundary: record, and give up after MAX_ATTEMPTS
        logger.exception(
            "ingest.failed", extra={"event_id": inbound.event_id, "attempts": attempts}
        )
        status = (
            InboundEventStatus.FAILED if attempts >= MAX_ATTEMPTS else InboundEventStatus.PENDING
        )
        InboundEvent.objects.filter(pk=inbound.pk).update(
            status=status, last_error=f"{type(error).__name__}: {error}"[:2000]
        )
        return None
    status = InboundEventStatus.IGNORED if outcome == "ignored" else InboundEventStatus.PROCESSED
    InboundEvent.objects.filter(pk=inbound.pk, status=InboundEventStatus.PENDING).update(
        status=status, processed_at=timezone.now(), last_error=""
    )
    logger.info("ingest.event_processed", extra={"event_id": inbound.event_id, "outcome": outcome})
    return outcome
