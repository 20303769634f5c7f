"""SLA policies, business-hours calendars, clocks and the SLA report in the API."""

from typing import Any

from rest_framework import serializers

from sla.business_hours import CalendarError, calendar_from_config
from sla.models import BusinessHoursCalendar, PolicyScope, SLAClock, SLAPolicy
from thena.api import WorkspaceScopedSerializer, scope_target_errors


def merged(
    serializer: serializers.ModelSerializer, attrs: dict[str, Any], names: list[str]
) -> dict:
    """``attrs`` completed with the instance's current values (for partial updates)."""
    instance = serializer.instance
    values = {name: getattr(instance, name) for name in names} if instance is not None else {}
    values.update({name: attrs[name] for name in names if name in attrs})
    return values


class SLAPolicySerializer(WorkspaceScopedSerializer):
    """An SLA policy. The most specific enabled policy applies: channel > segment > global."""

    same_workspace_fields = ("channel", "calendar")

    class Meta:
        model = SLAPolicy
        fields = [
            "id",
            "workspace",
            "name",
            "scope",
            "segment",
            "channel",
            "first_response_minutes",
            "next_response_minutes",
            "resolution_minutes",
            "calendar",
            "warning_percent",
            "escalation_minutes",
            "escalation_destination",
            "response_scope",
            "assignment_counts_as_response",
            "reopen_on_customer_reply",
            "is_enabled",
            "is_config_managed",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["is_config_managed", "created_at", "updated_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        values = merged(
            self,
            attrs,
            ["scope", "segment", "channel", "escalation_minutes", "escalation_destination"],
        )
        errors = scope_target_errors(
            scope=values["scope"],
            segment=values.get("segment", ""),
            channel=values.get("channel"),
            noun="policy",
        )
        if values.get("escalation_minutes") and not values.get("escalation_destination"):
            errors["escalation_destination"] = "An escalation needs a destination channel."
        if errors:
            raise serializers.ValidationError(errors)
        self._check_one_enabled_per_target(attrs)
        return attrs

    def _check_one_enabled_per_target(self, attrs: dict[str, Any]) -> None:
        values = merged(self, attrs, ["scope", "segment", "channel", "is_enabled"])
        if not values.get("is_enabled", True):
            return
        others = SLAPolicy.objects.filter(
            workspace_id=self.target_workspace_id(attrs), scope=values["scope"], is_enabled=True
        )
        if values["scope"] == PolicyScope.SEGMENT:
            others = others.filter(segment=values["segment"])
        elif values["scope"] == PolicyScope.CHANNEL:
            others = others.filter(channel=values["channel"])
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise serializers.ValidationError(
                {"is_enabled": "Another enabled policy has the same scope; disable it first."}
            )


class BusinessHoursCalendarSerializer(WorkspaceScopedSerializer):
    """Working hours in a time zone, minus holidays; SLA time runs only inside them."""

    weekly_hours = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField(max_length=20), max_length=24),
        help_text='Local spans per weekday, e.g. {"mon": ["09:00-12:00", "13:00-17:30"]}.',
    )
    holidays = serializers.ListField(
        child=serializers.CharField(max_length=10),
        required=False,
        max_length=400,
        help_text="Dates, YYYY-MM-DD.",
    )

    class Meta:
        model = BusinessHoursCalendar
        fields = [
            "id",
            "workspace",
            "name",
            "timezone",
            "weekly_hours",
            "holidays",
            "country",
            "subdivision",
            "is_config_managed",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["is_config_managed", "created_at", "updated_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        values = merged(
            self, attrs, ["timezone", "weekly_hours", "holidays", "country", "subdivision"]
        )
        # Each part alone, so the error names the field that is wrong.
        checks = {
            "timezone": {"timezone": values.get("timezone", "UTC"), "weekly_hours": {}},
            "weekly_hours": {"timezone": "UTC", "weekly_hours": values.get("weekly_hours", {})},
            "holidays": {
                "timezone": "UTC",
                "weekly_hours": {},
                "holidays": values.get("holidays", []),
            },
            "country": {
                "timezone": "UTC",
                "weekly_hours": {},
                "country": values.get("country") or None,
                "subdivision": values.get("subdivision") or None,
            },
        }
        errors = {}
        for field, arguments in checks.items():
            try:
                calendar_from_config(**arguments)
            except (CalendarError, TypeError, ValueError) as error:
                name = (
                    "subdivision" if field == "country" and "subdivision" in str(error) else field
                )
                errors[name] = str(error)
        if errors:
            raise serializers.ValidationError(errors)
        if "holidays" in attrs:
            attrs["holidays"] = sorted(set(attrs["holidays"]))
        return attrs


class SLAClockSerializer(serializers.ModelSerializer):
    """One SLA target of one request; ``policy_name`` is from the snapshot it was computed from."""

    policy_name = serializers.SerializerMethodField()

    class Meta:
        model = SLAClock
        fields = [
            "id",
            "request",
            "kind",
            "state",
            "policy",
            "policy_name",
            "target_minutes",
            "started_at",
            "due_at",
            "warn_at",
            "warned_at",
            "paused_at",
            "stopped_at",
            "breached_at",
            "escalate_at",
            "escalated_at",
        ]
        read_only_fields = fields

    def get_policy_name(self, clock: SLAClock) -> str:
        return str(clock.policy_snapshot.get("name", ""))
