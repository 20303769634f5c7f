"""factory_boy factories for the shared kernel."""

import factory
from django.utils import timezone

from slack_integration.models import Channel, InboundEvent, SlackUser, Workspace


class WorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workspace
        django_get_or_create = ["team_id"]

    team_id = "T0001"
    name = "Acme"
    domain = "acme"
    bot_user_id = "U0BOT"
    bot_id = "B0BOT"
    app_id = "A0APP1"
    bot_token = "xoxb-test-token"


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel
        django_get_or_create = ["workspace", "channel_id"]

    workspace = factory.SubFactory(WorkspaceFactory)
    channel_id = factory.Sequence(lambda number: f"C0TEST{number}")
    name = factory.Sequence(lambda number: f"customer-{number}")
    segment = "customer"
    is_monitored = True
    is_ext_shared = True
    is_member = True


class SlackUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SlackUser
        django_get_or_create = ["workspace", "user_id"]

    workspace = factory.SubFactory(WorkspaceFactory)
    user_id = factory.Sequence(lambda number: f"U0USER{number}")
    team_id = "T0001"
    real_name = factory.Sequence(lambda number: f"Vendor Person {number}")
    is_external = False


class CustomerFactory(SlackUserFactory):
    team_id = "T0GLOBEX"
    real_name = factory.Sequence(lambda number: f"Customer {number}")
    is_external = True


class InboundEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InboundEvent

    event_id = factory.Sequence(lambda number: f"Ev0TEST{number}")
    team_id = "T0001"
    event_type = "message"
    payload = factory.LazyAttribute(lambda event: {"event_id": event.event_id, "event": {}})
    received_at = factory.LazyFunction(timezone.now)
