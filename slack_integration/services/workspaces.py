"""Workspaces: the single-workspace bootstrap and the defaults a new install gets."""

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from alerts.models import AlertRule
from slack_integration.client import SlackError, call, make_client
from slack_integration.models import Workspace

logger = logging.getLogger(__name__)


def get_installed_workspace(team_id: str) -> Workspace | None:
    """The active workspace for ``team_id``.

    In single-workspace mode (``SLACK_BOT_TOKEN``) the first request from an unknown team
    asks ``auth.test`` which team the token belongs to, and records it.
    """
    workspace = Workspace.objects.filter(team_id=team_id, is_active=True).first()
    if workspace is not None or not settings.SLACK_BOT_TOKEN or settings.SLACK_CLIENT_ID:
        return workspace
    workspace = bootstrap_single_workspace()
    return workspace if workspace is not None and workspace.team_id == team_id else None


def bootstrap_single_workspace() -> Workspace | None:
    """Creates or refreshes the workspace the configured bot token belongs to."""
    try:
        identity = call(make_client(settings.SLACK_BOT_TOKEN), "auth.test")
    except SlackError as error:
        logger.error("workspace.bootstrap_failed", extra={"error": error.error})
        return None
    url = str(identity.get("url") or "")
    domain = url.removeprefix("https://").split(".slack.com")[0] if ".slack.com" in url else ""
    try:
        with transaction.atomic():
            workspace, _ = Workspace.objects.update_or_create(
                team_id=identity["team_id"],
                defaults={
                    "name": identity.get("team") or "",
                    "domain": domain,
                    "bot_user_id": identity.get("user_id") or "",
                    "bot_id": identity.get("bot_id") or "",
                    "bot_token": settings.SLACK_BOT_TOKEN,
                    "is_active": True,
                    "installed_at": timezone.now(),
                },
            )
            ensure_default_alert_rule(workspace)
    except IntegrityError:
        workspace = Workspace.objects.get(team_id=identity["team_id"])
    logger.info("workspace.bootstrapped", extra={"team_id": workspace.team_id})
    return workspace


def ensure_default_alert_rule(workspace: Workspace) -> AlertRule | None:
    """With ``SLACK_TRIAGE_CHANNEL`` set and no request_detected rule, alert there globally."""
    channel_id = settings.SLACK_TRIAGE_CHANNEL
    if (
        not channel_id
        or AlertRule.objects.filter(workspace=workspace, event="request_detected").exists()
    ):
        return None
    rule = AlertRule.objects.create(
        workspace=workspace,
        name="default triage",
        event="request_detected",
        scope="global",
        destination=channel_id,
    )
    logger.info("alerts.default_rule_created", extra={"team_id": workspace.team_id})
    return rule


def ensure_default_alert_rules() -> int:
    """Start-up hook: the default rule for every active workspace that lacks one."""
    return sum(
        ensure_default_alert_rule(workspace) is not None
        for workspace in Workspace.objects.filter(is_active=True)
    )
