"""Alert rules and alert records in the API."""

import re
from typing import Any

from rest_framework import serializers

from alerts.models import Alert, AlertRule, RuleScope
from thena.api import WorkspaceScopedSerializer, scope_target_errors

# Slack conversation IDs: public (C), private/legacy group (G) or DM (D) channels.
_CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,31}")


class AlertRuleSerializer(WorkspaceScopedSerializer):
    """Alerts for one event, from channels in a scope, posted to one destination channel."""

    same_workspace_fields = ("channel",)
    unique_in_workspace = ()

    class Meta:
        model = AlertRule
        fields = [
            "id",
            "workspace",
            "name",
            "event",
            "scope",
            "segment",
            "channel",
            "destination",
            "is_enabled",
            "is_config_managed",
            "config_key",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["is_config_managed", "config_key", "created_at", "updated_at"]

    def validate_destination(self, value: str) -> str:
        if not _CHANNEL_ID.fullmatch(value):
            raise serializers.ValidationError("Give a Slack channel ID such as C0TRIAGE.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        instance = self.instance
        errors = scope_target_errors(
            scope=attrs.get("scope", instance.scope if instance else RuleScope.GLOBAL),
            segment=attrs.get("segment", instance.segment if instance else ""),
            channel=attrs["channel"] if "channel" in attrs else getattr(instance, "channel", None),
            noun="rule",
        )
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class AlertSerializer(serializers.ModelSerializer):
    """One alert message and its delivery state."""

    rules = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "workspace",
            "request",
            "event",
            "destination",
            "occurrence",
            "clock",
            "rules",
            "status",
            "attempts",
            "last_error",
            "next_attempt_at",
            "sent_at",
            "slack_channel",
            "slack_ts",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
