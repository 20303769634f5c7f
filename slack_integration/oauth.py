"""Bolt's OAuth installation and state stores, backed by the Django ORM.

An installation is a Workspace row: the bot token is kept encrypted (EncryptedTextField).
Only bot installations are supported; user tokens are not requested or stored.
"""

import logging
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore

from slack_integration.models import SlackOAuthState, Workspace
from slack_integration.services.workspaces import ensure_default_alert_rule

logger = logging.getLogger(__name__)

BOT_SCOPES = [
    "channels:history",
    "groups:history",
    "channels:read",
    "groups:read",
    "chat:write",
    "chat:write.public",
    "reactions:read",
    "reactions:write",
    "commands",
    "users:read",
    "users:read.email",
    "im:write",
    "team:read",
]


class DjangoInstallationStore(InstallationStore):
    """Saves each installation onto its Workspace row (one per team)."""

    @property
    def logger(self) -> logging.Logger:
        return logger

    def save(self, installation: Installation) -> None:
        team_id = installation.team_id or ""
        with transaction.atomic():
            workspace, _ = Workspace.objects.update_or_create(
                team_id=team_id,
                defaults={
                    "name": installation.team_name or "",
                    "enterprise_id": installation.enterprise_id or "",
                    "app_id": installation.app_id or "",
                    "bot_user_id": installation.bot_user_id or "",
                    "bot_id": installation.bot_id or "",
                    "bot_token": installation.bot_token or "",
                    "bot_scopes": ",".join(installation.bot_scopes or []),
                    "is_active": True,
                    "installed_at": timezone.now(),
                },
            )
            ensure_default_alert_rule(workspace)
        logger.info("oauth.installed", extra={"team_id": team_id})

    def save_bot(self, bot: Bot) -> None:
        Workspace.objects.filter(team_id=bot.team_id or "").update(
            bot_user_id=bot.bot_user_id or "", bot_id=bot.bot_id or ""
        )

    def find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        workspace = Workspace.objects.filter(team_id=team_id or "", is_active=True).first()
        if workspace is None or not workspace.bot_token:
            return None
        return Bot(
            app_id=workspace.app_id or None,
            enterprise_id=workspace.enterprise_id or None,
            team_id=workspace.team_id,
            team_name=workspace.name,
            bot_token=workspace.bot_token,
            bot_id=workspace.bot_id,
            bot_user_id=workspace.bot_user_id,
            bot_scopes=workspace.bot_scopes.split(",") if workspace.bot_scopes else [],
            installed_at=(workspace.installed_at or workspace.created_at).timestamp(),
        )

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        bot = self.find_bot(enterprise_id=enterprise_id, team_id=team_id)
        if bot is None:
            return None
        return Installation(
            app_id=bot.app_id,
            enterprise_id=bot.enterprise_id,
            team_id=bot.team_id,
            team_name=bot.team_name,
            bot_token=bot.bot_token,
            bot_id=bot.bot_id,
            bot_user_id=bot.bot_user_id,
            bot_scopes=bot.bot_scopes,
            user_id=user_id or "",
            installed_at=bot.installed_at,
        )

    def delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        self.delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        Workspace.objects.filter(team_id=team_id or "").update(bot_token="", is_active=False)


class DjangoOAuthStateStore(OAuthStateStore):
    """One-time states with an expiry; consuming one deletes it."""

    def __init__(self, *, expiration_seconds: int = 600):
        self.expiration_seconds = expiration_seconds

    @property
    def logger(self) -> logging.Logger:
        return logger

    def issue(self, *args: object, **kwargs: object) -> str:
        state = secrets.token_urlsafe(32)
        SlackOAuthState.objects.create(
            state=state, expire_at=timezone.now() + timedelta(seconds=self.expiration_seconds)
        )
        SlackOAuthState.objects.filter(expire_at__lt=timezone.now()).delete()
        return state

    def consume(self, state: str) -> bool:
        deleted, _ = SlackOAuthState.objects.filter(
            state=state, expire_at__gte=timezone.now()
        ).delete()
        return deleted > 0
