"""factory_boy factories for alert rules and alerts."""

import factory

from alerts.models import Alert, AlertRule
from requests_app.tests.factories import RequestFactory
from slack_integration.tests.factories import WorkspaceFactory


class AlertRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AlertRule

    workspace = factory.SubFactory(WorkspaceFactory)
    event = "request_detected"
    scope = "global"
    destination = "C0TRIAGE"


class AlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alert

    request = factory.SubFactory(RequestFactory)
    workspace = factory.SelfAttribute("request.workspace")
    event = "request_detected"
    destination = "C0TRIAGE"
