"""The ``internal`` provider: tickets kept in our own database, numbered PREFIX-1, -2...

Numbering is safe under concurrency: the provider row is locked (``SELECT ... FOR UPDATE``)
while the next number is read, and the caller inserts the ticket before committing, so two
concurrent creations for one provider serialise on that lock. The unique constraint on
``(provider, number)`` is the final guarantee (SQLite has no row locks; the service
retries on it).
"""

from django.db.models import Max

from tickets.models import Ticket, TicketProvider
from tickets.providers.base import CreatedTicket, TicketDraft


def next_ticket_number(provider: TicketProvider) -> int:
    """The next free number of ``provider``. Must run inside a transaction (it locks)."""
    TicketProvider.objects.select_for_update().filter(pk=provider.pk).values_list(
        "pk", flat=True
    ).get()
    highest = Ticket.objects.filter(provider=provider).aggregate(highest=Max("number"))
    return (highest["highest"] or 0) + 1


def internal_ticket_url(provider: TicketProvider, key: str) -> str:
    """``base_url/KEY`` when the provider has a base URL (an internal tracker's UI), else ""."""
    return f"{provider.base_url.rstrip('/')}/{key}" if provider.base_url else ""


class InternalBackend:
    """Allocates the next number of the provider; the ticket lives only in our database."""

    def create(self, *, provider: TicketProvider, draft: TicketDraft) -> CreatedTicket:
        number = next_ticket_number(provider)
        key = f"{provider.key_prefix or 'REQ'}-{number}"
        return CreatedTicket(key=key, url=internal_ticket_url(provider, key), number=number)
