"""Filters for the requests list, and each request's SLA state as one annotation."""

from datetime import datetime

import django_filters
from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Value, When

from requests_app.models import Request, RequestStatus
from sla.models import ClockState, SLAClock
from slack_integration.models import Segment
from thena.api import IdFilter


class SLAStateFilterValue:
    BREACHED = "breached"
    AT_RISK = "at_risk"
    OK = "ok"
    NONE = "none"


SLA_STATE_CHOICES = [
    (SLAStateFilterValue.BREACHED, "Breached: a clock breached, or running past its due time"),
    (SLAStateFilterValue.AT_RISK, "At risk: a running clock passed its warning time"),
    (SLAStateFilterValue.OK, "OK: has SLA clocks, none breached or at risk"),
    (SLAStateFilterValue.NONE, "None: no SLA clock (no policy applied)"),
]


def with_sla_state(queryset: QuerySet[Request], *, now: datetime) -> QuerySet[Request]:
    """Annotates ``sla_state`` (see ``SLA_STATE_CHOICES``) from the request's clocks.

    A running clock already past due counts as breached before the evaluator marks it, as
    in `/my summary`. One query: three EXISTS subqueries on ``sla_slaclock(request_id)``.
    """
    clocks = SLAClock.objects.filter(request=OuterRef("pk"))
    late = clocks.filter(Q(state=ClockState.BREACHED) | Q(state=ClockState.RUNNING, due_at__lt=now))
    warned = clocks.filter(state=ClockState.RUNNING).filter(
        Q(warned_at__isnull=False) | Q(warn_at__lte=now)
    )
    counted = clocks.exclude(state=ClockState.CANCELLED)
    return queryset.annotate(
        sla_state=Case(
            When(Exists(late), then=Value(SLAStateFilterValue.BREACHED)),
            When(Exists(warned), then=Value(SLAStateFilterValue.AT_RISK)),
            When(Exists(counted), then=Value(SLAStateFilterValue.OK)),
            default=Value(SLAStateFilterValue.NONE),
            output_field=CharField(),
        )
    )


class RequestFilter(django_filters.FilterSet):
    workspace = IdFilter(field_name="workspace_id", help_text="Workspace id.")
    status = django_filters.MultipleChoiceFilter(
        choices=RequestStatus.choices, help_text="One or more statuses (repeat the parameter)."
    )
    assignee = django_filters.CharFilter(
        method="filter_assignee",
        max_length=32,
        help_text="The assignee's Slack user ID (U…), or `none` for unassigned requests.",
    )
    channel = django_filters.CharFilter(
        field_name="channel__channel_id", max_length=32, help_text="Slack channel ID (C…)."
    )
    segment = django_filters.ChoiceFilter(field_name="channel__segment", choices=Segment.choices)
    sla_state = django_filters.ChoiceFilter(
        choices=SLA_STATE_CHOICES, help_text="The SLA state computed from the request's clocks."
    )
    detected_after = django_filters.IsoDateTimeFilter(
        field_name="detected_at", lookup_expr="gte", help_text="ISO 8601 date-time, inclusive."
    )
    detected_before = django_filters.IsoDateTimeFilter(
        field_name="detected_at", lookup_expr="lt", help_text="ISO 8601 date-time, exclusive."
    )
    q = django_filters.CharFilter(
        method="search",
        max_length=200,
        help_text="Words in the customer's message, or part of the customer's name.",
    )

    class Meta:
        model = Request
        fields = [
            "workspace",
            "status",
            "assignee",
            "channel",
            "segment",
            "sla_state",
            "detected_after",
            "detected_before",
            "q",
        ]

    def filter_assignee(
        self, queryset: QuerySet[Request], name: str, value: str
    ) -> QuerySet[Request]:
        if value.lower() == "none":
            return queryset.filter(assignee__isnull=True)
        return queryset.filter(assignee__user_id=value)

    def search(self, queryset: QuerySet[Request], name: str, value: str) -> QuerySet[Request]:
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(
            # Private channels' text is never searchable: a search must not reveal it.
            Q(root_message__text__icontains=text, channel__is_private=False)
            | Q(customer__real_name__icontains=text)
            | Q(customer__display_name__icontains=text)
            | Q(customer__name__icontains=text)
        )
