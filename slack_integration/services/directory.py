"""Channel and user facts, from the event itself or ``conversations.info``/``users.info``,
cached in the database and refreshed when older than a day.
"""

import logging
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from slack_integration.client import SlackChannelNotFoundError, SlackError, call, client_for
from slack_integration.models import Channel, Segment, SlackUser, Workspace

logger = logging.getLogger(__name__)

INFO_MAX_AGE = timedelta(hours=24)


def _is_stale(fetched_at: Any) -> bool:
    return fetched_at is None or timezone.now() - fetched_at > INFO_MAX_AGE


def _get_or_create(model: type, **lookup: Any) -> tuple[Any, bool]:
    try:
        with transaction.atomic():
            return model.objects.get_or_create(**lookup)
    except IntegrityError:  # created concurrently by another worker
        return model.objects.get(**lookup), False


def get_channel(workspace: Workspace, channel_id: str, *, refresh: bool = False) -> Channel:
    """The channel row, created on first sight; facts from ``conversations.info`` when stale.

    A new channel that is shared with another organisation starts monitored as a customer
    channel; any other new channel starts as internal and unmonitored until configured.
    """
    channel, created = _get_or_create(Channel, workspace=workspace, channel_id=channel_id)
    if created or refresh or _is_stale(channel.info_fetched_at):
        _refresh_channel(channel, is_new=created)
    return channel


def _refresh_channel(channel: Channel, *, is_new: bool) -> None:
    try:
        info = call(
            client_for(channel.workspace), "conversations.info", channel=channel.channel_id
        ).get("channel", {})
    except SlackChannelNotFoundError:
        info = {}
    except SlackError as error:
        logger.warning(
            "directory.channel_info_failed",
            extra={"channel_id": channel.channel_id, "error": error.error},
        )
        if not is_new:
            return
        info = {}
    fields: dict[str, Any] = {"info_fetched_at": timezone.now()}
    if info:
        fields.update(
            name=info.get("name") or channel.name,
            is_private=bool(info.get("is_private")),
            is_ext_shared=bool(info.get("is_ext_shared")),
            is_archived=bool(info.get("is_archived")),
            connected_team_ids=list(info.get("connected_team_ids") or []),
        )
        if "is_member" in info:
            fields["is_member"] = bool(info["is_member"])
    if is_new and not channel.is_config_managed:
        shared = fields.get("is_ext_shared", False)
        fields["segment"] = Segment.CUSTOMER if shared else Segment.INTERNAL
        fields["is_monitored"] = shared
    Channel.objects.filter(pk=channel.pk).update(**fields)
    for name, value in fields.items():
        setattr(channel, name, value)


def update_channel(workspace: Workspace, channel_id: str, **fields: Any) -> None:
    """Applies facts an event carried (rename, membership) to the channel row."""
    channel = get_channel(workspace, channel_id)
    Channel.objects.filter(pk=channel.pk).update(**fields)


def get_user(
    workspace: Workspace, user_id: str, *, team_id: str = "", profile: dict[str, Any] | None = None
) -> SlackUser:
    """The user row; its side is decided from its team (an event's ``user_team``) when known,
    else from ``users.info``. Internal e-mail domains make a user internal."""
    user, created = _get_or_create(SlackUser, workspace=workspace, user_id=user_id)
    fields: dict[str, Any] = {}
    if team_id and team_id != user.team_id:
        fields["team_id"] = team_id
    if profile:
        fields.update(_profile_fields(profile))
    if (created or _is_stale(user.info_fetched_at)) and not (team_id and profile):
        fields.update(_fetch_user(workspace, user_id))
    # Most messages repeat what the row already holds: write only what changed.
    fields = {name: value for name, value in fields.items() if getattr(user, name) != value}
    if not fields:
        return user
    team = fields.get("team_id", user.team_id)
    email = fields.get("email", user.email)
    fields["is_external"] = _is_external(workspace, team, email)
    SlackUser.objects.filter(pk=user.pk).update(**fields)
    for name, value in fields.items():
        setattr(user, name, value)
    return user


def _is_external(workspace: Workspace, team_id: str, email: str) -> bool:
    domain = email.rsplit("@", 1)[-1].lower() if "@" in email else ""
    if domain and domain in workspace.internal_email_domains:
        return False
    return bool(team_id) and team_id != workspace.team_id


def _profile_fields(profile: dict[str, Any]) -> dict[str, Any]:
    fields = {
        "real_name": str(profile.get("real_name") or "")[:255],
        "display_name": str(profile.get("display_name") or "")[:255],
    }
    if profile.get("name"):
        fields["name"] = str(profile["name"])[:255]
    return {key: value for key, value in fields.items() if value}


def _fetch_user(workspace: Workspace, user_id: str) -> dict[str, Any]:
    try:
        user = call(client_for(workspace), "users.info", user=user_id).get("user", {})
    except SlackError as error:
        logger.warning(
            "directory.user_info_failed", extra={"user_id": user_id, "error": error.error}
        )
        return {}
    profile = user.get("profile") or {}
    fields = {
        "team_id": str(user.get("team_id") or ""),
        "name": str(user.get("name") or "")[:255],
        "real_name": str(user.get("real_name") or profile.get("real_name") or "")[:255],
        "display_name": str(profile.get("display_name") or "")[:255],
        "email": str(profile.get("email") or "")[:254],
        "is_bot": bool(user.get("is_bot")),
        "info_fetched_at": timezone.now(),
    }
    return fields
