"""Filters for ticket providers and tickets."""

import django_filters

from thena.api import IdFilter
from tickets.models import ProviderKind, Ticket, TicketPriority, TicketProvider, TicketStatus


class TicketProviderFilter(django_filters.FilterSet):
    workspace = IdFilter(field_name="workspace_id", help_text="Workspace id.")
    kind = django_filters.ChoiceFilter(choices=ProviderKind.choices)
    is_enabled = django_filters.BooleanFilter()

    class Meta:
        model = TicketProvider
        fields = ["workspace", "kind", "is_enabled"]


class TicketFilter(django_filters.FilterSet):
    workspace = IdFilter(field_name="provider__workspace_id", help_text="Workspace id.")
    request = IdFilter(field_name="request_id", help_text="Request id.")
    provider = IdFilter(field_name="provider_id", help_text="Provider id.")
    status = django_filters.ChoiceFilter(choices=TicketStatus.choices)
    priority = django_filters.ChoiceFilter(choices=TicketPriority.choices)

    class Meta:
        model = Ticket
        fields = ["workspace", "request", "provider", "status", "priority"]
