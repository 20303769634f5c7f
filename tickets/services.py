"""Ticket writes: the default provider, and creating a ticket in a provider.

``tickets`` is an inner app (STYLE.md §3): it never calls ``requests_app`` services. The
caller (``requests_app.services.tickets.create_ticket_for_request``) writes the request's
timeline event and refreshes its alerts.
"""

import logging
from typing import Any

from django.db import IntegrityError, transaction

from slack_integration.models import SlackUser, Workspace
from tickets.exceptions import (
    InvalidTicketError,
    ProviderDisabledError,
    TicketProviderNotFoundError,
)
from tickets.models import ProviderKind, Ticket, TicketPriority, TicketProvider
from tickets.providers import CreatedTicket, TicketDraft, get_backend
from tickets.selectors import get_default_provider

logger = logging.getLogger(__name__)

DEFAULT_PROVIDER_NAME = "Internal"
DEFAULT_KEY_PREFIX = "REQ"
TITLE_MAX_CHARS = 255
# Attempts at inserting an internal ticket when its number was taken concurrently (SQLite,
# or a writer that bypassed the provider lock).
NUMBERING_ATTEMPTS = 3


def ensure_default_provider(*, workspace: Workspace) -> TicketProvider:
    """The provider tickets go to by default; creates "Internal" (REQ-n) if there is none."""
    provider = get_default_provider(workspace=workspace)
    if provider is not None:
        return provider
    has_default = TicketProvider.objects.filter(workspace=workspace, is_default=True).exists()
    try:
        with transaction.atomic():
            provider, _ = TicketProvider.objects.get_or_create(
                workspace=workspace,
                name=DEFAULT_PROVIDER_NAME,
                defaults={
                    "kind": ProviderKind.INTERNAL,
                    "key_prefix": DEFAULT_KEY_PREFIX,
                    "is_default": not has_default,
                },
            )
    except IntegrityError:  # created concurrently
        provider = TicketProvider.objects.get(workspace=workspace, name=DEFAULT_PROVIDER_NAME)
    if not provider.is_enabled or provider.kind != ProviderKind.INTERNAL:
        raise ProviderDisabledError(
            f'The workspace has no enabled ticket provider ("{provider.name}" is '
            "disabled or not internal)."
        )
    logger.info(
        "tickets.default_provider_ready",
        extra={"provider_id": provider.pk, "workspace_id": workspace.pk},
    )
    return provider


def _clean(title: str, priority: str) -> tuple[str, str]:
    title = " ".join((title or "").split())
    if not title:
        raise InvalidTicketError("A ticket needs a title.")
    if len(title) > TITLE_MAX_CHARS:
        raise InvalidTicketError(f"The title is too long (at most {TITLE_MAX_CHARS} characters).")
    priority = priority or TicketPriority.MEDIUM
    if priority not in TicketPriority.values:
        raise InvalidTicketError(
            f"Unknown priority {priority!r}: use one of {', '.join(TicketPriority.values)}."
        )
    return title, priority


def create_ticket(
    *,
    customer_request: Any,
    title: str,
    description: str,
    priority: str,
    created_by: SlackUser | None,
    provider: TicketProvider | None = None,
    assignee: SlackUser | None = None,
) -> Ticket:
    """Creates a ticket for ``customer_request`` in ``provider`` (default: the workspace's).

    The provider must belong to the request's workspace and be enabled; kinds without a
    backend raise :class:`ProviderNotAvailableError`. Internal tickets are numbered per
    provider under a lock on the provider row (see ``tickets.providers.internal``).
    """
    title, priority = _clean(title, priority)
    if provider is None:
        provider = ensure_default_provider(workspace=customer_request.workspace)
    elif provider.workspace_id != customer_request.workspace_id:
        raise TicketProviderNotFoundError(f"Ticket provider {provider.pk} was not found.")
    if not provider.is_enabled:
        raise ProviderDisabledError(f'The ticket provider "{provider.name}" is disabled.')
    backend = get_backend(provider.kind)
    draft = TicketDraft(
        title=title,
        description=description or "",
        priority=priority,
        request_id=customer_request.pk,
        permalink=customer_request.root_message.permalink,
        assignee_user_id=assignee.user_id if assignee else "",
    )
    created: CreatedTicket | None = None
    for attempt in range(1, NUMBERING_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                created = backend.create(provider=provider, draft=draft)
                ticket = Ticket.objects.create(
                    provider=provider,
                    request=customer_request,
                    number=created.number,
                    external_key=created.key,
                    url=created.url,
                    title=title,
                    description=draft.description,
                    priority=priority,
                    created_by=created_by,
                )
            break
        except IntegrityError:
            # Only an allocated number can be retried: an external ticket exists already.
            if created is None or created.number is None or attempt == NUMBERING_ATTEMPTS:
                raise
    logger.info(
        "tickets.created",
        extra={
            "ticket_id": ticket.pk,
            "provider_id": provider.pk,
            "request_id": customer_request.pk,
        },
    )
    return ticket
