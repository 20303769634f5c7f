"""Every model has an admin whose list and change pages load for a staff user."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from alerts.tests.factories import AlertFactory, AlertRuleFactory
from requests_app.models import DiscardedMessage
from requests_app.tests.factories import RequestEventFactory
from sla.tests.factories import BusinessHoursCalendarFactory, SLAClockEventFactory, SLAPolicyFactory
from slack_integration.models import SlackOAuthState, Workspace, WorkspaceMembership
from slack_integration.tests.factories import InboundEventFactory
from tickets.tests.factories import TicketFactory

OUR_APPS = {"slack_integration", "requests_app", "sla", "alerts", "tickets"}


def our_models() -> list[type[Model]]:
    from django.apps import apps

    return [model for name in sorted(OUR_APPS) for model in apps.get_app_config(name).get_models()]


@pytest.fixture
def one_of_each(db) -> None:
    """At least one row of every model, joined up like real data."""
    event = RequestEventFactory()
    SLAClockEventFactory(clock__request=event.request)
    AlertFactory(request=event.request).rules.add(AlertRuleFactory())
    TicketFactory(request=event.request)
    SLAPolicyFactory(calendar=BusinessHoursCalendarFactory())
    InboundEventFactory()
    DiscardedMessage.objects.create(
        workspace=event.request.workspace,
        request=event.request,
        text="not a request",
        fingerprint={},
    )
    SlackOAuthState.objects.create(state="state-1", expire_at=timezone.now())
    WorkspaceMembership.objects.create(
        user=User.objects.create_user("agent"), workspace=event.request.workspace
    )


@pytest.mark.parametrize("model", our_models(), ids=lambda model: model._meta.label)
def test_every_model_is_registered_in_the_admin(model: type[Model]) -> None:
    assert admin.site.is_registered(model)


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda model: model._meta.label)
def test_changelist_loads_for_staff(staff_client, one_of_each, model: type[Model]) -> None:
    meta = model._meta
    response = staff_client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", our_models(), ids=lambda model: model._meta.label)
def test_change_page_loads_for_staff(staff_client, one_of_each, model: type[Model]) -> None:
    instance = model.objects.first()
    meta = model._meta
    response = staff_client.get(
        reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[instance.pk])
    )
    assert response.status_code == 200
    # The rendered page names the object, so the template really rendered it.
    assert str(instance).split(" ")[0].encode() in response.content


def test_request_page_shows_timeline_read_only(staff_client, one_of_each) -> None:
    from requests_app.models import Request

    customer_request = Request.objects.get()
    response = staff_client.get(
        reverse("admin:requests_app_request_change", args=[customer_request.pk])
    )
    assert b"Request events" in response.content
    assert b'name="events-0-kind"' not in response.content  # inline is display-only


def test_bot_token_is_never_rendered(staff_client, one_of_each) -> None:
    workspace = Workspace.objects.get()
    change = staff_client.get(
        reverse("admin:slack_integration_workspace_change", args=[workspace.pk])
    )
    listing = staff_client.get(reverse("admin:slack_integration_workspace_changelist"))
    assert workspace.bot_token == "xoxb-test-token"
    for response in (change, listing):
        assert b"xoxb-test-token" not in response.content


def test_ticket_credentials_are_write_only(staff_client, one_of_each) -> None:
    from tickets.models import TicketProvider

    provider = TicketProvider.objects.get()
    provider.credentials = "jira-api-secret-123"
    provider.save(update_fields=["credentials"])
    url = reverse("admin:tickets_ticketprovider_change", args=[provider.pk])
    assert b"jira-api-secret-123" not in staff_client.get(url).content
    response = staff_client.post(
        url,
        {
            "workspace": provider.workspace_id,
            "name": provider.name,
            "kind": "internal",
            "key_prefix": "REQ",
            "settings": "{}",
            "is_enabled": "on",
            "new_credentials": "",
        },
    )
    assert response.status_code == 302
    provider.refresh_from_db()
    assert provider.credentials == "jira-api-secret-123"  # empty input keeps the secret
