"""Filters for alert rules and alerts."""

import django_filters

from alerts.models import Alert, AlertEvent, AlertRule, DeliveryStatus, RuleScope
from thena.api import IdFilter


class AlertRuleFilter(django_filters.FilterSet):
    workspace = IdFilter(field_name="workspace_id", help_text="Workspace id.")
    event = django_filters.ChoiceFilter(choices=AlertEvent.choices)
    scope = django_filters.ChoiceFilter(choices=RuleScope.choices)
    destination = django_filters.CharFilter(max_length=32, help_text="Slack channel ID.")
    is_enabled = django_filters.BooleanFilter()

    class Meta:
        model = AlertRule
        fields = ["workspace", "event", "scope", "destination", "is_enabled"]


class AlertFilter(django_filters.FilterSet):
    workspace = IdFilter(field_name="workspace_id", help_text="Workspace id.")
    request = IdFilter(field_name="request_id", help_text="Request id.")
    event = django_filters.ChoiceFilter(choices=AlertEvent.choices)
    status = django_filters.MultipleChoiceFilter(
        choices=DeliveryStatus.choices, help_text="One or more statuses (repeat the parameter)."
    )

    class Meta:
        model = Alert
        fields = ["workspace", "request", "event", "status"]
