"""Ticket providers (configuration, credentials write-only) and tickets (read-only)."""

from rest_framework import viewsets

from thena.api import CanConfigureWorkspace, IsWorkspaceMember, WorkspaceScopedViewMixin
from thena.errors import ConflictError
from tickets.api.filters import TicketFilter, TicketProviderFilter
from tickets.api.serializers import TicketProviderSerializer, TicketSerializer
from tickets.models import Ticket, TicketProvider


class TicketProviderViewSet(WorkspaceScopedViewMixin, viewsets.ModelViewSet):
    """Ticketing platforms. `credentials` is write-only: it is stored encrypted and never
    returned (`has_credentials` says whether one is set). A provider with tickets cannot be
    deleted: disable it instead."""

    serializer_class = TicketProviderSerializer
    permission_classes = [CanConfigureWorkspace]
    queryset = TicketProvider.objects.order_by("workspace_id", "name", "pk")
    filterset_class = TicketProviderFilter

    def perform_destroy(self, instance: TicketProvider) -> None:
        if instance.tickets.exists():
            raise ConflictError(
                f'The provider "{instance.name}" has tickets; disable it instead.',
                code="ticket_provider_in_use",
            )
        instance.delete()


class TicketViewSet(WorkspaceScopedViewMixin, viewsets.ReadOnlyModelViewSet):
    """Tickets created for requests (create one with POST /requests/{id}/create-ticket/)."""

    serializer_class = TicketSerializer
    permission_classes = [IsWorkspaceMember]
    queryset = Ticket.objects.select_related("provider", "created_by").order_by(
        "-created_at", "-pk"
    )
    filterset_class = TicketFilter
    workspace_lookup = "provider__workspace"
