"""Reads for tickets: a workspace's providers and a request's tickets."""

from typing import Any

from django.db.models import QuerySet

from slack_integration.models import Workspace
from tickets.exceptions import TicketProviderNotFoundError
from tickets.models import ProviderKind, Ticket, TicketProvider


def list_enabled_providers(*, workspace: Workspace) -> list[TicketProvider]:
    """The workspace's enabled providers, the default first (the create-ticket modal)."""
    return sorted(
        TicketProvider.objects.filter(workspace=workspace, is_enabled=True),
        key=lambda provider: (not provider.is_default, provider.name.lower(), provider.pk),
    )


def get_default_provider(*, workspace: Workspace) -> TicketProvider | None:
    """The provider a ticket goes to when none is chosen.

    The enabled default provider; else the first enabled internal one; else None (the
    service then creates the "Internal" provider).
    """
    providers = TicketProvider.objects.filter(workspace=workspace, is_enabled=True)
    return (
        providers.filter(is_default=True).first()
        or providers.filter(kind=ProviderKind.INTERNAL).order_by("name", "pk").first()
    )


def get_provider_for_workspace(*, workspace: Workspace | int, provider_id: int) -> TicketProvider:
    """The provider ``provider_id`` of ``workspace``; another workspace's is not found."""
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    provider = TicketProvider.objects.filter(workspace_id=workspace_id, pk=provider_id).first()
    if provider is None:
        raise TicketProviderNotFoundError(f"Ticket provider {provider_id} was not found.")
    return provider


def list_request_tickets(*, customer_request: Any) -> QuerySet[Ticket]:
    """A request's tickets, newest first."""
    return (
        Ticket.objects.filter(request=customer_request)
        .select_related("provider")
        .order_by("-created_at", "-pk")
    )
