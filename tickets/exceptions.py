"""Errors of the tickets app; each is shown to the user as it is."""

from thena.errors import ConflictError, DomainError, NotFoundError


class TicketProviderNotFoundError(NotFoundError):
    """No such provider in the request's workspace (another workspace's is "not found")."""

    code = "ticket_provider_not_found"


class ProviderNotAvailableError(DomainError):
    """The provider's kind has no backend yet (Jira, Linear... are not implemented)."""

    code = "ticket_provider_not_available"


class ProviderDisabledError(ConflictError):
    code = "ticket_provider_disabled"


class InvalidTicketError(DomainError):
    """The ticket's fields are not acceptable (empty title, unknown priority)."""

    code = "invalid_ticket"
