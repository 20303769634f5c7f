"""Filters for SLA policies, calendars and clocks."""

import django_filters

from sla.models import (
    BusinessHoursCalendar,
    ClockKind,
    ClockState,
    PolicyScope,
    SLAClock,
    SLAPolicy,
)
from slack_integration.models import Segment
from thena.api import IdFilter


class SLAPolicyFilter(django_filters.FilterSet):
    workspace = IdFilter(field_name="workspace_id", help_text="Workspace id.")
    scope = django_filters.ChoiceFilter(choices=PolicyScope.choices)
    segment = django_filters.ChoiceFilter(choices=Segment.choices)
    channel = IdFilter(field_name="channel_id", help_text="Channel id.")
    is_enabled = django_filters.BooleanFilter()

    class Meta:
        model = SLAPolicy
        fields = ["workspace", "scope", "segment", "channel", "is_enabled"]


class BusinessHoursCalendarFilter(django_filters.FilterSet):
    workspace = IdFilter(field_name="workspace_id", help_text="Workspace id.")

    class Meta:
        model = BusinessHoursCalendar
        fields = ["workspace"]


class SLAClockFilter(django_filters.FilterSet):
    workspace = IdFilter(field_name="request__workspace_id", help_text="Workspace id.")
    request = IdFilter(field_name="request_id", help_text="Request id.")
    kind = django_filters.ChoiceFilter(choices=ClockKind.choices)
    state = django_filters.ChoiceFilter(choices=ClockState.choices)
    due_before = django_filters.IsoDateTimeFilter(
        field_name="due_at", lookup_expr="lt", help_text="ISO 8601 date-time, exclusive."
    )

    class Meta:
        model = SLAClock
        fields = ["workspace", "request", "kind", "state", "due_before"]
