"""Every check and unique constraint rejects a bad row in the database itself.

These run on whatever DATABASE_URL says (PostgreSQL in CI, SQLite by default). Rows are
written with ``QuerySet.update``/``create`` so no Python validation runs first.
"""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from alerts.models import AlertRule
from alerts.tests.factories import AlertFactory, AlertRuleFactory
from requests_app.models import DiscardedMessage, Request, RequestEvent
from requests_app.tests.factories import MessageFactory, RequestEventFactory, RequestFactory
from sla.models import SLAClock, SLAClockEvent, SLAPolicy
from sla.tests.factories import SLAClockEventFactory, SLAClockFactory, SLAPolicyFactory
from slack_integration.models import (
    Channel,
    InboundEvent,
    SlackOAuthState,
    SlackUser,
    Workspace,
    WorkspaceMembership,
)
from slack_integration.tests.factories import (
    ChannelFactory,
    InboundEventFactory,
    SlackUserFactory,
    WorkspaceFactory,
)
from tickets.models import Ticket, TicketProvider
from tickets.tests.factories import TicketFactory, TicketProviderFactory


def _update(factory: Callable, **bad: object) -> Callable[[], None]:
    def run() -> None:
        instance = factory()
        type(instance).objects.filter(pk=instance.pk).update(**bad)

    return run


def _duplicate(factory: Callable, copy: Callable) -> Callable[[], None]:
    def run() -> None:
        copy(factory())

    return run


CASES = {
    "slack_integration_workspace_strictness_valid": _update(
        WorkspaceFactory, detection_strictness="reckless"
    ),
    "slack_integration_channel_segment_valid": _update(ChannelFactory, segment="vip"),
    "slack_integration_channel_strictness_valid": _update(
        ChannelFactory, detection_strictness="reckless"
    ),
    "slack_integration_channel_unique_id": _duplicate(
        ChannelFactory,
        lambda channel: Channel.objects.create(
            workspace=channel.workspace, channel_id=channel.channel_id
        ),
    ),
    "slack_integration_slackuser_unique_id": _duplicate(
        SlackUserFactory,
        lambda user: SlackUser.objects.create(workspace=user.workspace, user_id=user.user_id),
    ),
    "slack_integration_slackuser_side_override_valid": _update(
        SlackUserFactory, side_override="both"
    ),
    "slack_integration_workspace_team_id_key": _duplicate(
        WorkspaceFactory,
        lambda workspace: Workspace.objects.bulk_create([Workspace(team_id=workspace.team_id)]),
    ),
    "slack_integration_inboundevent_event_id_key": _duplicate(
        InboundEventFactory,
        lambda event: InboundEvent.objects.bulk_create(
            [InboundEvent(event_id=event.event_id, payload={}, received_at=timezone.now())]
        ),
    ),
    "slack_integration_inboundevent_status_valid": _update(InboundEventFactory, status="lost"),
    "requests_app_message_unique_ts": _duplicate(
        MessageFactory, lambda message: MessageFactory(channel=message.channel, ts=message.ts)
    ),
    "requests_app_request_status_valid": _update(RequestFactory, status="maybe"),
    "requests_app_request_stage_valid": _update(RequestFactory, detection_stage="magic"),
    "requests_app_request_score_in_unit_interval": _update(RequestFactory, detection_score=1.5),
    "requests_app_request_closed_has_time": _update(RequestFactory, status="closed"),
    "requests_app_request_root_message_id_key": _duplicate(
        RequestFactory,
        lambda existing: Request.objects.bulk_create(
            [
                Request(
                    workspace=existing.workspace,
                    channel=existing.channel,
                    root_message=existing.root_message,
                    customer=existing.customer,
                    detected_at=timezone.now(),
                    detection_stage="manual",
                    detection_score=1,
                )
            ]
        ),
    ),
    "requests_app_requestevent_kind_valid": _update(RequestEventFactory, kind="exploded"),
    "requests_app_requestevent_source_valid": _update(RequestEventFactory, source="fax"),
    "sla_slapolicy_unique_name": _duplicate(
        SLAPolicyFactory,
        lambda policy: SLAPolicyFactory(
            workspace=policy.workspace, name=policy.name, is_enabled=False
        ),
    ),
    "sla_slapolicy_scope_target_consistent_planet": _update(SLAPolicyFactory, scope="planet"),
    "sla_slapolicy_segment_valid": _update(SLAPolicyFactory, scope="segment", segment="vip"),
    "sla_slapolicy_scope_target_consistent": _update(SLAPolicyFactory, scope="segment"),
    "sla_slapolicy_first_response_in_range": _update(SLAPolicyFactory, first_response_minutes=29),
    "sla_slapolicy_first_response_in_range_high": _update(
        SLAPolicyFactory, first_response_minutes=2881
    ),
    "sla_slapolicy_next_response_in_range": _update(SLAPolicyFactory, next_response_minutes=10),
    "sla_slapolicy_resolution_positive": _update(SLAPolicyFactory, resolution_minutes=0),
    "sla_slapolicy_warning_percent_range": _update(SLAPolicyFactory, warning_percent=100),
    "sla_slapolicy_escalation_has_destination": _update(SLAPolicyFactory, escalation_minutes=30),
    "sla_slapolicy_response_scope_valid": _update(SLAPolicyFactory, response_scope="email"),
    "sla_slapolicy_one_enabled_global": _duplicate(
        SLAPolicyFactory, lambda policy: SLAPolicyFactory(workspace=policy.workspace)
    ),
    "sla_slapolicy_one_enabled_per_segment": _duplicate(
        lambda: SLAPolicyFactory(scope="segment", segment="partner"),
        lambda policy: SLAPolicyFactory(
            workspace=policy.workspace, scope="segment", segment="partner"
        ),
    ),
    "sla_slapolicy_one_enabled_per_channel": _duplicate(
        lambda: SLAPolicyFactory(scope="channel", channel=ChannelFactory()),
        lambda policy: SLAPolicyFactory(
            workspace=policy.workspace, scope="channel", channel=policy.channel
        ),
    ),
    "sla_slaclock_kind_valid": _update(SLAClockFactory, kind="lunch"),
    "sla_slaclock_state_valid": _update(SLAClockFactory, state="frozen"),
    "sla_slaclock_due_after_start": _update(
        SLAClockFactory, due_at=timezone.now() - timedelta(days=1)
    ),
    "sla_slaclock_paused_has_time": _update(SLAClockFactory, state="paused"),
    "sla_slaclock_one_live_per_kind": _duplicate(
        SLAClockFactory, lambda clock: SLAClockFactory(request=clock.request, kind=clock.kind)
    ),
    "sla_slaclockevent_kind_valid": _update(SLAClockEventFactory, kind="exploded"),
    "alerts_alertrule_event_valid": _update(AlertRuleFactory, event="lunch_time"),
    "alerts_alertrule_scope_target_consistent_planet": _update(AlertRuleFactory, scope="planet"),
    "alerts_alertrule_scope_target_consistent": _update(AlertRuleFactory, segment="partner"),
    "alerts_alertrule_has_destination": _update(AlertRuleFactory, destination=""),
    "alerts_alertrule_unique_config_key": _duplicate(
        lambda: AlertRuleFactory(config_key="k1"),
        lambda rule: AlertRule.objects.create(
            workspace=rule.workspace, event="request_detected", destination="C1", config_key="k1"
        ),
    ),
    "alerts_alert_one_per_request_event_destination": _duplicate(
        AlertFactory,
        lambda alert: AlertFactory(
            request=alert.request, event=alert.event, destination=alert.destination
        ),
    ),
    "alerts_alert_event_valid": _update(AlertFactory, event="lunch_time"),
    "alerts_alert_status_valid": _update(AlertFactory, status="lost"),
    "alerts_alert_sent_has_time": _update(AlertFactory, status="sent"),
    "slack_integration_workspacemembership_unique_member": _duplicate(
        lambda: WorkspaceMembership.objects.create(
            user=User.objects.create_user("member"), workspace=WorkspaceFactory()
        ),
        lambda membership: WorkspaceMembership.objects.create(
            user=membership.user, workspace=membership.workspace, role="admin"
        ),
    ),
    "slack_integration_workspacemembership_role_valid": _update(
        lambda: WorkspaceMembership.objects.create(
            user=User.objects.create_user("member"), workspace=WorkspaceFactory()
        ),
        role="owner",
    ),
    "slack_integration_slackoauthstate_state_key": _duplicate(
        lambda: SlackOAuthState.objects.create(state="s1", expire_at=timezone.now()),
        lambda state: SlackOAuthState.objects.bulk_create(
            [SlackOAuthState(state=state.state, expire_at=timezone.now())]
        ),
    ),
    "requests_app_discardedmessage_request_id_key": _duplicate(
        lambda: DiscardedMessage.objects.create(
            workspace=WorkspaceFactory(), request=RequestFactory(), text="x"
        ),
        lambda discarded: DiscardedMessage.objects.bulk_create(
            [DiscardedMessage(workspace=discarded.workspace, request=discarded.request, text="y")]
        ),
    ),
    "tickets_ticketprovider_unique_name": _duplicate(
        TicketProviderFactory,
        lambda provider: TicketProvider.objects.create(
            workspace=provider.workspace, name=provider.name, kind="internal"
        ),
    ),
    "tickets_ticketprovider_one_default": _duplicate(
        lambda: TicketProviderFactory(is_default=True),
        lambda provider: TicketProviderFactory(workspace=provider.workspace, is_default=True),
    ),
    "tickets_ticketprovider_kind_valid": _update(TicketProviderFactory, kind="fax"),
    "tickets_ticket_unique_key": _duplicate(
        TicketFactory,
        lambda ticket: Ticket.objects.create(
            provider=ticket.provider,
            request=ticket.request,
            external_key=ticket.external_key,
            title="dup",
        ),
    ),
    "tickets_ticket_unique_number": _duplicate(
        TicketFactory,
        lambda ticket: TicketFactory(
            provider=ticket.provider, number=ticket.number, external_key="OTHER-1"
        ),
    ),
    "tickets_ticket_priority_valid": _update(TicketFactory, priority="whenever"),
    "tickets_ticket_status_valid": _update(TicketFactory, status="lost"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("constraint", sorted(CASES))
def test_database_rejects_row_breaking(constraint: str) -> None:
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        CASES[constraint]()
    if connection.vendor == "postgresql":
        expected = constraint.removesuffix("_high").removesuffix("_planet")
        assert expected in str(error.value)


@pytest.mark.django_db
def test_valid_rows_are_accepted() -> None:
    """The constraints above do not reject the good rows the factories make."""
    SLAClockEventFactory()
    AlertFactory()
    TicketFactory()
    SLAPolicyFactory(scope="segment", segment="partner")
    SLAPolicyFactory(scope="channel", channel=ChannelFactory())
    assert SLAPolicy.objects.count() == 2
    assert SLAClock.objects.count() == SLAClockEvent.objects.count() == 1
    assert RequestEvent.objects.count() == 0


@pytest.mark.django_db
def test_disabled_policies_do_not_count_against_one_enabled_per_scope() -> None:
    policy = SLAPolicyFactory()
    SLAPolicyFactory(workspace=policy.workspace, is_enabled=False)
    SLAPolicyFactory(workspace=policy.workspace, is_enabled=False)
    assert SLAPolicy.objects.filter(scope="global").count() == 3
