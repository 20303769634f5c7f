"""The "Create ticket" button opens a prefilled modal; its submission creates the ticket.

``views.open`` is the first Web API call after the checks: the ``trigger_id`` expires 3 s
after the click. The submission is validated and the ticket created before the ack, so
errors go back into the modal (``response_action: errors``); the ticket link is posted
after the ack.
"""

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext

from requests_app.exceptions import NotInternalUserError, RequestNotFoundError
from requests_app.models import Request
from requests_app.selectors import get_request_for_workspace
from requests_app.services.tickets import check_can_create_ticket, create_ticket_for_request
from slack_integration.blocks.ids import ActionId, CallbackId
from slack_integration.blocks.modals import (
    ASSIGNEE_BLOCK,
    PROVIDER_BLOCK,
    TITLE_BLOCK,
    ModalContext,
    TicketSubmission,
    build_create_ticket_modal,
    parse_create_ticket_submission,
    prefill_description,
    prefill_title,
)
from slack_integration.client import SlackError
from slack_integration.models import Workspace
from slack_integration.services.directory import get_user
from slack_integration.services.interactions import (
    actor_for,
    get_workspace,
    log_rejected,
    open_modal,
    post_ticket_link,
    reply_to_clicker,
    request_for_action,
)
from thena.errors import DomainError
from tickets.exceptions import (
    ProviderDisabledError,
    ProviderNotAvailableError,
    TicketProviderNotFoundError,
)
from tickets.models import Ticket
from tickets.selectors import (
    get_default_provider,
    get_provider_for_workspace,
    list_enabled_providers,
)

logger = logging.getLogger(__name__)

PROVIDER_ERRORS = (ProviderDisabledError, ProviderNotAvailableError, TicketProviderNotFoundError)


def modal_context(
    workspace: Workspace, customer_request: Request, body: dict[str, Any]
) -> ModalContext:
    """What the modal is prefilled with. A private channel's text is never copied."""
    channel = customer_request.channel
    root = customer_request.root_message
    customer = customer_request.customer.label
    providers = list_enabled_providers(workspace=workspace)
    default = get_default_provider(workspace=workspace)
    container = body.get("container") or {}
    from_message = container.get("type") == "message"
    return ModalContext(
        request_id=customer_request.pk,
        title=prefill_title(
            text=root.text,
            is_private=channel.is_private,
            request_id=customer_request.pk,
            customer=customer,
        ),
        description=prefill_description(
            customer=customer,
            channel_name=channel.name or channel.channel_id,
            permalink=root.permalink,
        ),
        providers=[(provider.pk, provider.name) for provider in providers],
        default_provider_id=default.pk if default else None,
        assignee_user_id=customer_request.assignee.user_id if customer_request.assignee else None,
        alert_channel=container.get("channel_id") if from_message else None,
        alert_ts=container.get("message_ts") if from_message else None,
    )


def open_create_ticket_modal(body: dict[str, Any], team_id: str | None) -> None:
    workspace = get_workspace(team_id)
    try:
        customer_request = request_for_action(workspace, body)
        check_can_create_ticket(customer_request=customer_request, actor=actor_for(workspace, body))
        view = build_create_ticket_modal(modal_context(workspace, customer_request, body))
        open_modal(workspace, str(body.get("trigger_id") or ""), view)
    except DomainError as error:
        log_rejected(ActionId.CREATE_TICKET, body, error)
        reply_to_clicker(workspace, body, error.message)
    except SlackError as error:
        logger.warning("slack.modal_open_failed", extra={"error": error.error})
        reply_to_clicker(
            workspace,
            body,
            f"The ticket form could not be opened ({error.error}); please try again.",
        )


def _error_block(error: DomainError, view: dict[str, Any], submission: TicketSubmission) -> str:
    """The block an error is shown under: the provider or assignee picker it is about, if
    the modal has it, else the title."""
    block_ids = {block.get("block_id") for block in view.get("blocks") or []}
    if isinstance(error, PROVIDER_ERRORS) and PROVIDER_BLOCK in block_ids:
        return PROVIDER_BLOCK
    # The clicker was checked when the modal opened, so this is about the picked assignee.
    is_about_assignee = isinstance(error, NotInternalUserError) and submission.assignee_user_id
    if is_about_assignee and ASSIGNEE_BLOCK in block_ids:
        return ASSIGNEE_BLOCK
    return TITLE_BLOCK


def _create(
    workspace: Workspace, body: dict[str, Any], submission: TicketSubmission
) -> tuple[Request, Ticket]:
    if submission.request_id is None:
        raise RequestNotFoundError("This form no longer names a request.")
    customer_request = get_request_for_workspace(
        workspace=workspace, request_id=submission.request_id
    )
    provider = (
        get_provider_for_workspace(workspace=workspace, provider_id=submission.provider_id)
        if submission.provider_id
        else None
    )
    assignee = (
        get_user(workspace, submission.assignee_user_id) if (submission.assignee_user_id) else None
    )
    ticket = create_ticket_for_request(
        customer_request=customer_request,
        actor=actor_for(workspace, body),
        title=submission.title,
        description=submission.description,
        priority=submission.priority,
        provider=provider,
        assignee=assignee,
    )
    return customer_request, ticket


def register_ticket_listeners(app: App) -> None:
    @app.action(ActionId.CREATE_TICKET)
    def on_create_ticket_clicked(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        open_create_ticket_modal(body, context.team_id)

    @app.view(CallbackId.CREATE_TICKET)
    def on_create_ticket_submitted(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        submission = parse_create_ticket_submission(view)
        if submission.errors:
            ack(response_action="errors", errors=submission.errors)
            return
        workspace = get_workspace(context.team_id)
        try:
            customer_request, ticket = _create(workspace, body, submission)
        except DomainError as error:
            log_rejected(CallbackId.CREATE_TICKET, body, error)
            ack(
                response_action="errors",
                errors={_error_block(error, view, submission): error.message},
            )
            return
        ack()
        post_ticket_link(
            workspace,
            customer_request,
            ticket,
            creator_user_id=str((body.get("user") or {}).get("id") or ""),
            alert_channel=submission.alert_channel,
            alert_ts=submission.alert_ts,
        )
