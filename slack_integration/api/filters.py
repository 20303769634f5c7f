"""Filters for channels and Slack users (`?segment=partner&is_monitored=true`)."""

import django_filters
from django.db.models import Q, QuerySet

from slack_integration.models import Channel, Segment, Side, SlackUser
from thena.api import IdFilter


class ChannelFilter(django_filters.FilterSet):
    workspace = IdFilter(field_name="workspace_id", help_text="Workspace id.")
    segment = django_filters.ChoiceFilter(choices=Segment.choices)
    is_monitored = django_filters.BooleanFilter()
    is_private = django_filters.BooleanFilter()
    is_ext_shared = django_filters.BooleanFilter()
    q = django_filters.CharFilter(
        method="search", max_length=100, help_text="Part of the name or the Slack channel ID."
    )

    class Meta:
        model = Channel
        fields = ["workspace", "segment", "is_monitored", "is_private", "is_ext_shared", "q"]

    def search(self, queryset: QuerySet[Channel], name: str, value: str) -> QuerySet[Channel]:
        return queryset.filter(Q(name__icontains=value) | Q(channel_id__icontains=value))


class SlackUserFilter(django_filters.FilterSet):
    workspace = IdFilter(field_name="workspace_id", help_text="Workspace id.")
    side_override = django_filters.ChoiceFilter(choices=Side.choices)
    is_external = django_filters.BooleanFilter()
    is_bot = django_filters.BooleanFilter()
    q = django_filters.CharFilter(
        method="search", max_length=100, help_text="Part of a name, the e-mail or the user ID."
    )

    class Meta:
        model = SlackUser
        fields = ["workspace", "side_override", "is_external", "is_bot", "q"]

    def search(self, queryset: QuerySet[SlackUser], name: str, value: str) -> QuerySet[SlackUser]:
        return queryset.filter(
            Q(name__icontains=value)
            | Q(real_name__icontains=value)
            | Q(display_name__icontains=value)
            | Q(email__icontains=value)
            | Q(user_id__icontains=value)
        )
