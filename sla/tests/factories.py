"""factory_boy factories for SLA policies, calendars and clocks."""

from datetime import timedelta

import factory
from django.utils import timezone

from requests_app.tests.factories import RequestFactory
from sla.models import BusinessHoursCalendar, SLAClock, SLAClockEvent, SLAPolicy
from slack_integration.tests.factories import WorkspaceFactory


class BusinessHoursCalendarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessHoursCalendar

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda number: f"office-{number}")
    timezone = "Europe/Berlin"
    weekly_hours = {day: ["09:00-17:00"] for day in ("mon", "tue", "wed", "thu", "fri")}


class SLAPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SLAPolicy

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda number: f"policy-{number}")
    scope = "global"
    first_response_minutes = 30
    resolution_minutes = 2880


class SLAClockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SLAClock

    request = factory.SubFactory(RequestFactory)
    kind = "first_response"
    started_at = factory.LazyFunction(timezone.now)
    target_minutes = 30
    due_at = factory.LazyAttribute(lambda clock: clock.started_at + timedelta(minutes=30))


class SLAClockEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SLAClockEvent

    clock = factory.SubFactory(SLAClockFactory)
    kind = "started"
    at = factory.LazyFunction(timezone.now)
