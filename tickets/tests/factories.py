"""factory_boy factories for ticket providers and tickets."""

import factory

from requests_app.tests.factories import RequestFactory
from slack_integration.tests.factories import WorkspaceFactory
from tickets.models import Ticket, TicketProvider


class TicketProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TicketProvider

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda number: f"provider-{number}")
    kind = "internal"
    key_prefix = "REQ"


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticket

    provider = factory.SubFactory(TicketProviderFactory)
    request = factory.SubFactory(RequestFactory)
    number = factory.Sequence(lambda number: number + 1)
    external_key = factory.LazyAttribute(lambda ticket: f"REQ-{ticket.number}")
    title = "CSV export failing"
