"""factory_boy factories for messages, requests and timeline events."""

import factory
from django.utils import timezone

from requests_app.models import Message, Request, RequestEvent
from slack_integration.tests.factories import ChannelFactory, CustomerFactory


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    channel = factory.SubFactory(ChannelFactory)
    workspace = factory.SelfAttribute("channel.workspace")
    ts = factory.Sequence(lambda number: f"{1741010000 + number}.000100")
    author = factory.SubFactory(CustomerFactory, workspace=factory.SelfAttribute("..workspace"))
    text = "the CSV export has been failing since this morning"
    is_from_customer = True
    posted_at = factory.LazyFunction(timezone.now)


class RequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Request

    root_message = factory.SubFactory(MessageFactory)
    channel = factory.SelfAttribute("root_message.channel")
    workspace = factory.SelfAttribute("root_message.workspace")
    customer = factory.SelfAttribute("root_message.author")
    detected_at = factory.LazyFunction(timezone.now)
    detection_stage = "local_classifier"
    detection_score = 0.93
    detection_reason = "local classifier: score 0.93 >= 0.50 (balanced)"


class RequestEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequestEvent

    request = factory.SubFactory(RequestFactory)
    kind = "detected"
    at = factory.LazyFunction(timezone.now)
    source = "system"
