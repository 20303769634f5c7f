"""Ticket provider backends by kind. Only ``internal`` exists so far."""

from tickets.exceptions import ProviderNotAvailableError
from tickets.models import ProviderKind
from tickets.providers.base import CreatedTicket, TicketBackend, TicketDraft
from tickets.providers.internal import InternalBackend

BACKENDS: dict[str, type] = {ProviderKind.INTERNAL: InternalBackend}


def get_backend(kind: str) -> TicketBackend:
    """The backend for a provider kind; external kinds raise until they are implemented."""
    backend_class = BACKENDS.get(kind)
    if backend_class is None:
        raise ProviderNotAvailableError(f"provider kind {kind} is not available yet")
    return backend_class()


__all__ = ["CreatedTicket", "TicketBackend", "TicketDraft", "get_backend"]
