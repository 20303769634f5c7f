"""The ticket provider interface: turn a draft into a ticket key and URL.

A backend talks to one kind of ticketing platform. It does not write our ``Ticket`` row:
``tickets.services.create_ticket`` does, in the same transaction, so a backend that
allocates numbers (the internal one) can hold its lock until the row exists.
"""

from dataclasses import dataclass
from typing import Any, Protocol

from tickets.models import TicketProvider


@dataclass(frozen=True)
class TicketDraft:
    """What the user asked for. ``request_id`` and ``permalink`` let a backend link back."""

    title: str
    description: str
    priority: str
    request_id: int
    permalink: str = ""
    assignee_user_id: str = ""


@dataclass(frozen=True)
class CreatedTicket:
    """The provider's answer: its key (``REQ-7``, ``PROJ-123``), URL and our sequence number."""

    key: str
    url: str = ""
    number: int | None = None
    extra: dict[str, Any] | None = None


class TicketBackend(Protocol):
    """One ticketing platform. ``create`` runs inside the caller's transaction."""

    def create(self, *, provider: TicketProvider, draft: TicketDraft) -> CreatedTicket:
        """Creates the ticket; raises a :class:`thena.errors.DomainError` subclass on failure."""
