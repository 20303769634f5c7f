"""Workspaces, channels and Slack users in the API. The bot token never appears."""

import re

from django.core.validators import MaxValueValidator, MinValueValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sla.business_hours import CalendarError, calendar_from_config
from slack_integration.models import Channel, MemberRole, Side, SlackUser, Workspace
from thena.api import WorkspaceScopedSerializer, role_in

GROUPING_WINDOW_MAX_SECONDS = 3600
_EMOJI_NAME = re.compile(r"[a-z0-9_+'\-]{1,64}")
_DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


def validate_timezone(value: str) -> str:
    """An IANA zone name the business-hours maths accepts."""
    try:
        calendar_from_config(timezone=value, weekly_hours={})
    except (CalendarError, TypeError, ValueError) as error:
        raise serializers.ValidationError(str(error)) from error
    return value


class WorkspaceSerializer(serializers.ModelSerializer):
    """A workspace's settings; only admins change them. The bot token is never shown."""

    has_bot_token = serializers.SerializerMethodField()
    role = serializers.SerializerMethodField(help_text="Your role in this workspace.")
    grouping_window_seconds = serializers.IntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(GROUPING_WINDOW_MAX_SECONDS)],
        required=False,
        help_text="Consecutive top-level messages from one customer within this window join "
        "one request (0..3600).",
    )
    internal_email_domains = serializers.ListField(
        child=serializers.CharField(max_length=253), required=False, max_length=100
    )

    class Meta:
        model = Workspace
        fields = [
            "id",
            "team_id",
            "name",
            "domain",
            "is_active",
            "installed_at",
            "has_bot_token",
            "role",
            "timezone",
            "detection_strictness",
            "grouping_window_seconds",
            "request_reaction",
            "internal_email_domains",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "team_id",
            "domain",
            "is_active",
            "installed_at",
            "created_at",
            "updated_at",
        ]

    def get_has_bot_token(self, workspace: Workspace) -> bool:
        return bool(workspace.bot_token)

    @extend_schema_field(serializers.ChoiceField(choices=MemberRole.choices, allow_null=True))
    def get_role(self, workspace: Workspace) -> str | None:
        request = self.context.get("request")
        return role_in(request, workspace.pk) if request is not None else None

    def validate_timezone(self, value: str) -> str:
        return validate_timezone(value)

    def validate_request_reaction(self, value: str) -> str:
        name = value.strip().strip(":")
        if not _EMOJI_NAME.fullmatch(name):
            raise serializers.ValidationError("Give an emoji name such as `ticket`.")
        return name

    def validate_internal_email_domains(self, value: list[str]) -> list[str]:
        domains = sorted({domain.strip().lower().lstrip("@") for domain in value})
        invalid = [domain for domain in domains if not _DOMAIN.fullmatch(domain)]
        if invalid:
            raise serializers.ValidationError(f"Not a domain name: {invalid[0]!r}.")
        return domains


class ChannelSerializer(WorkspaceScopedSerializer):
    """A channel's segment and monitoring switches; the Slack facts are read-only."""

    unique_in_workspace = ("channel_id",)

    class Meta:
        model = Channel
        fields = [
            "id",
            "workspace",
            "channel_id",
            "name",
            "segment",
            "is_monitored",
            "detection_strictness",
            "post_ticket_links_in_thread",
            "sync_reactions",
            "is_private",
            "is_ext_shared",
            "is_archived",
            "is_member",
            "is_config_managed",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "is_private",
            "is_ext_shared",
            "is_archived",
            "is_member",
            "is_config_managed",
            "created_at",
            "updated_at",
        ]

    def validate_channel_id(self, value: str) -> str:
        if self.instance is not None and value != self.instance.channel_id:
            raise serializers.ValidationError("A channel's Slack ID cannot change.")
        return value


class SlackUserSerializer(serializers.ModelSerializer):
    """A Slack user; only ``side_override`` can be changed (by an admin)."""

    label = serializers.CharField(read_only=True)
    # As Slack gave it: may be empty, so not documented as an e-mail format.
    email = serializers.CharField(read_only=True)
    side = serializers.ChoiceField(choices=Side.choices, read_only=True)
    is_internal = serializers.BooleanField(read_only=True)

    class Meta:
        model = SlackUser
        fields = [
            "id",
            "workspace",
            "user_id",
            "team_id",
            "label",
            "name",
            "real_name",
            "display_name",
            "email",
            "is_bot",
            "is_external",
            "side_override",
            "side",
            "is_internal",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [name for name in fields if name != "side_override"]


class SlackUserRefSerializer(serializers.ModelSerializer):
    """A Slack user as other objects mention it."""

    label = serializers.CharField(read_only=True)

    class Meta:
        model = SlackUser
        fields = ["id", "user_id", "label"]
        read_only_fields = fields


class ChannelRefSerializer(serializers.ModelSerializer):
    """A channel as other objects mention it."""

    class Meta:
        model = Channel
        fields = ["id", "channel_id", "name", "segment", "is_private"]
        read_only_fields = fields
