"""Query and response shapes of /api/v1/reports/sla."""

from typing import Any

from rest_framework import serializers

from requests_app.reports import GROUP_BY_CHOICES
from thena.api import MAX_ID


class SLAReportQuerySerializer(serializers.Serializer):
    """``?workspace=1&from=2026-03-01&to=2026-03-31&group_by=channel``."""

    workspace = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="Workspace id.")
    group_by = serializers.ChoiceField(choices=GROUP_BY_CHOICES, default="day")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        # "from" is a Python keyword, so these two are added by name.
        fields["from"] = serializers.DateField(
            help_text="First day (YYYY-MM-DD, in the workspace's time zone)."
        )
        fields["to"] = serializers.DateField(help_text="Last day, inclusive.")
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["to"] < attrs["from"]:
            raise serializers.ValidationError({"to": "The last day is before the first day."})
        if (attrs["to"] - attrs["from"]).days > 366:
            raise serializers.ValidationError({"to": "A report covers at most 367 days."})
        return attrs


class SLAReportGroupSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Channel ID, segment, assignee user ID or date.")
    label = serializers.CharField()
    requests = serializers.IntegerField()
    first_response_attainment_percent = serializers.FloatField(allow_null=True)
    first_response_median_minutes = serializers.FloatField(allow_null=True)
    first_response_p90_minutes = serializers.FloatField(allow_null=True)
    resolution_attainment_percent = serializers.FloatField(allow_null=True)
    time_to_close_median_minutes = serializers.FloatField(allow_null=True)
    breaches = serializers.IntegerField()


class SLAReportSerializer(serializers.Serializer):
    workspace = serializers.IntegerField()
    timezone = serializers.CharField()
    group_by = serializers.ChoiceField(choices=GROUP_BY_CHOICES)
    groups = SLAReportGroupSerializer(many=True)
    totals = SLAReportGroupSerializer()

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = serializers.DateField(source="date_from")
        fields["to"] = serializers.DateField(source="date_to")
        return fields
