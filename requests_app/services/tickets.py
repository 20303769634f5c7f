"""Creating a ticket for a request: the ticket (tickets app), the timeline, the alerts."""

import logging

from django.db import transaction

from alerts.services import refresh_request_alerts
from requests_app.exceptions import RequestStateError
from requests_app.models import Request, RequestEventKind, RequestStatus
from requests_app.services.actions import Actor, assign_request, check_actor
from requests_app.services.lifecycle import add_event
from slack_integration.models import SlackUser
from tickets.models import Ticket, TicketProvider
from tickets.services import create_ticket

logger = logging.getLogger(__name__)

# A ticket for these makes no sense: the request was not one, or its message is gone.
UNTICKETABLE_STATUSES = (RequestStatus.DISCARDED, RequestStatus.CANCELLED)


@transaction.atomic
def create_ticket_for_request(
    *,
    customer_request: Request,
    actor: Actor,
    title: str,
    description: str,
    priority: str,
    provider: TicketProvider | None = None,
    assignee: SlackUser | None = None,
) -> Ticket:
    """Creates a ticket for the request in ``provider`` (default: the workspace's default).

    With ``assignee`` (the modal's optional picker) the request is assigned to that person
    first, unless it already is. Writes a ``ticket_created`` event and re-renders the
    request's alerts so they show the ticket link.
    """
    check_actor(actor)  # the one rule of who may act lives in actions.py
    locked = (
        Request.objects.select_for_update(of=("self",))
        .select_related("workspace", "channel", "root_message__workspace", "root_message__channel")
        .get(pk=customer_request.pk)
    )
    if locked.status in UNTICKETABLE_STATUSES:
        raise RequestStateError(
            f"Request #{locked.pk} is {locked.get_status_display().lower()}"
            "; no ticket can be created for it."
        )
    is_assigning = assignee is not None and locked.assignee_id != assignee.pk
    if is_assigning:
        assign_request(customer_request=locked, assignee=assignee, actor=actor)
    ticket = create_ticket(
        customer_request=locked,
        provider=provider,
        title=title,
        description=description,
        priority=priority,
        created_by=actor.slack_user,
        assignee=assignee,
    )
    add_event(
        locked,
        RequestEventKind.TICKET_CREATED,
        source=actor.source,
        actor=actor.slack_user,
        actor_user=actor.user,
        detail={
            "ticket_id": ticket.pk,
            "key": ticket.external_key,
            "provider_id": ticket.provider_id,
        },
    )
    if not is_assigning:  # assign_request's refresh runs after commit and shows the ticket
        refresh_request_alerts(request_id=locked.pk)
    logger.info("requests.ticket_created", extra={"request_id": locked.pk, "ticket_id": ticket.pk})
    return ticket


def check_can_create_ticket(*, customer_request: Request, actor: Actor) -> None:
    """Raises the error the create-ticket form would end with, before the form opens."""
    check_actor(actor)
    if customer_request.status in UNTICKETABLE_STATUSES:
        raise RequestStateError(
            f"Request #{customer_request.pk} is "
            f"{customer_request.get_status_display().lower()}; no ticket can be created for it."
        )
