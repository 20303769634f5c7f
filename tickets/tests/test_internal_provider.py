"""The internal provider and ``create_ticket``: default provider, numbering, refusals."""

import threading

import pytest
from django.db import connection

from requests_app.tests.factories import RequestFactory
from slack_integration.tests.factories import ChannelFactory, SlackUserFactory, WorkspaceFactory
from tickets.exceptions import (
    InvalidTicketError,
    ProviderDisabledError,
    ProviderNotAvailableError,
    TicketProviderNotFoundError,
)
from tickets.models import Ticket, TicketProvider
from tickets.services import create_ticket
from tickets.tests.factories import TicketFactory, TicketProviderFactory


@pytest.fixture
def customer_request(db):
    return RequestFactory(
        root_message__channel=ChannelFactory(workspace=WorkspaceFactory(team_id="T0001"))
    )


def new_ticket(customer_request, **fields) -> Ticket:
    values = {
        "title": "CSV export fails",
        "description": "",
        "priority": "medium",
        "created_by": None,
        **fields,
    }
    return create_ticket(customer_request=customer_request, **values)


def test_first_ticket_creates_the_internal_provider_and_is_req_1(customer_request) -> None:
    ticket = new_ticket(customer_request, created_by=SlackUserFactory())
    provider = TicketProvider.objects.get()
    assert (provider.name, provider.kind, provider.key_prefix, provider.is_default) == (
        "Internal",
        "internal",
        "REQ",
        True,
    )
    assert (ticket.external_key, ticket.number, ticket.provider) == ("REQ-1", 1, provider)
    assert ticket.request == customer_request


def test_numbers_are_sequential_per_provider(customer_request) -> None:
    keys = [new_ticket(customer_request).external_key for _ in range(3)]
    other = TicketProviderFactory(
        workspace=customer_request.workspace, name="Ops", key_prefix="OPS"
    )
    assert keys == ["REQ-1", "REQ-2", "REQ-3"]
    assert new_ticket(customer_request, provider=other).external_key == "OPS-1"
    assert new_ticket(customer_request).external_key == "REQ-4"


def test_numbering_continues_after_the_highest_existing_number(customer_request) -> None:
    provider = TicketProviderFactory(
        workspace=customer_request.workspace, is_default=True, key_prefix="SUP"
    )
    TicketFactory(provider=provider, request=customer_request, number=41, external_key="SUP-41")
    assert new_ticket(customer_request).external_key == "SUP-42"


def test_the_default_provider_is_used(customer_request) -> None:
    TicketProviderFactory(workspace=customer_request.workspace, name="Alpha", key_prefix="ALP")
    TicketProviderFactory(
        workspace=customer_request.workspace, name="Support", key_prefix="SUP", is_default=True
    )
    assert new_ticket(customer_request).external_key == "SUP-1"


def test_internal_url_uses_the_providers_base_url(customer_request) -> None:
    provider = TicketProviderFactory(
        workspace=customer_request.workspace, base_url="https://tracker.acme.example/t/"
    )
    ticket = new_ticket(customer_request, provider=provider)
    assert ticket.url == "https://tracker.acme.example/t/REQ-1"


@pytest.mark.parametrize("kind", ["jira", "linear", "zendesk", "github"])
def test_external_provider_kinds_are_not_available_yet(customer_request, kind) -> None:
    provider = TicketProviderFactory(workspace=customer_request.workspace, kind=kind)
    with pytest.raises(ProviderNotAvailableError) as raised:
        new_ticket(customer_request, provider=provider)
    assert raised.value.message == f"provider kind {kind} is not available yet"
    assert not Ticket.objects.exists()


def test_provider_of_another_workspace_is_not_found(customer_request) -> None:
    foreign = TicketProviderFactory(workspace=WorkspaceFactory(team_id="T0OTHER"))
    with pytest.raises(TicketProviderNotFoundError):
        new_ticket(customer_request, provider=foreign)


def test_disabled_provider_is_refused(customer_request) -> None:
    provider = TicketProviderFactory(workspace=customer_request.workspace, is_enabled=False)
    with pytest.raises(ProviderDisabledError):
        new_ticket(customer_request, provider=provider)


@pytest.mark.parametrize(
    ("title", "priority", "message"),
    [
        ("   ", "medium", "needs a title"),
        ("x" * 256, "medium", "too long"),
        ("Export fails", "blocker", "Unknown priority"),
    ],
)
def test_invalid_fields_are_refused(customer_request, title, priority, message) -> None:
    with pytest.raises(InvalidTicketError) as raised:
        new_ticket(customer_request, title=title, priority=priority)
    assert message in raised.value.message
    assert not Ticket.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_creations_get_distinct_numbers() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the provider row lock is PostgreSQL's; SQLite serialises writers")
    customer_request = RequestFactory(
        root_message__channel=ChannelFactory(workspace=WorkspaceFactory(team_id="T0001"))
    )
    provider = TicketProviderFactory(workspace=customer_request.workspace, is_default=True)
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def create() -> None:
        try:
            barrier.wait(timeout=10)
            new_ticket(customer_request, provider=provider)
        except BaseException as error:  # noqa: BLE001 (reported by the assertion below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(Ticket.objects.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6]
