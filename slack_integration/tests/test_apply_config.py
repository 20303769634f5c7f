"""`python manage.py apply_config`: declarative, idempotent, dry-run, and strict on input."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from alerts.models import AlertRule
from sla.models import BusinessHoursCalendar, SLAPolicy
from slack_integration.models import Channel, Workspace
from slack_integration.tests.factories import ChannelFactory

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "config.yaml"

MINIMAL = """\
workspace: {team_id: T0001, name: Acme}
channels:
  - {id: C0CUST1, name: acme-globex, segment: customer}
  - {id: C0PART1, name: acme-partner, segment: partner, monitored: true}
sla_policies:
  - {name: default, scope: global, first_response_minutes: 30, resolution_minutes: 2880}
  - {name: partners, scope: {segment: partner}, first_response_minutes: 240}
alert_rules:
  - {event: request_detected, scope: global, destination: C0TRIAGE}
  - {event: first_response_breached, scope: global, destination: C0TRIAGE}
"""


def run(tmp_path: Path, text: str, *args: str) -> str:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    from io import StringIO

    out = StringIO()
    call_command("apply_config", str(path), *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    return {
        model.__name__: sorted(
            tuple(sorted((key, str(value)) for key, value in row.items() if key != "updated_at"))
            for row in model.objects.values()
        )
        for model in (Workspace, Channel, BusinessHoursCalendar, SLAPolicy, AlertRule)
    }


@pytest.mark.django_db
def test_minimal_file_creates_what_it_declares(tmp_path) -> None:
    output = run(tmp_path, MINIMAL)
    assert "7 object(s) changed." in output
    workspace = Workspace.objects.get(team_id="T0001")
    assert workspace.name == "Acme"
    assert set(workspace.channels.values_list("channel_id", "segment")) == {
        ("C0CUST1", "customer"),
        ("C0PART1", "partner"),
    }
    partners = SLAPolicy.objects.get(name="partners")
    assert (partners.scope, partners.segment, partners.first_response_minutes) == (
        "segment",
        "partner",
        240,
    )
    assert partners.resolution_minutes is None
    assert AlertRule.objects.filter(destination="C0TRIAGE", is_config_managed=True).count() == 2


@pytest.mark.django_db
def test_second_run_changes_nothing(tmp_path) -> None:
    run(tmp_path, EXAMPLE.read_text())
    before = snapshot()
    output = run(tmp_path, EXAMPLE.read_text())
    assert output.strip() == "No changes."
    assert snapshot() == before


@pytest.mark.django_db
def test_dry_run_prints_the_diff_and_writes_nothing(tmp_path) -> None:
    run(tmp_path, MINIMAL)
    before = snapshot()
    changed = MINIMAL.replace("first_response_minutes: 240", "first_response_minutes: 120")
    output = run(tmp_path, changed, "--dry-run")
    assert "~ update sla_policy partners" in output
    assert "first_response_minutes: 240 -> 120" in output
    assert "1 object(s) would change." in output
    assert snapshot() == before


@pytest.mark.django_db
def test_what_the_file_no_longer_lists_is_removed_or_unmonitored(tmp_path) -> None:
    run(tmp_path, MINIMAL)
    shorter = MINIMAL.replace(
        "  - {id: C0PART1, name: acme-partner, segment: partner, monitored: true}\n", ""
    ).replace("  - {name: partners, scope: {segment: partner}, first_response_minutes: 240}\n", "")
    shorter = shorter.replace(
        "  - {event: first_response_breached, scope: global, destination: C0TRIAGE}\n", ""
    )
    output = run(tmp_path, shorter)
    assert "- delete sla_policy partners" in output
    assert "- unmanage channel C0PART1" in output
    assert not SLAPolicy.objects.filter(name="partners").exists()
    assert list(AlertRule.objects.values_list("event", flat=True)) == ["request_detected"]
    partner_channel = Channel.objects.get(channel_id="C0PART1")
    assert (partner_channel.is_monitored, partner_channel.is_config_managed) == (False, False)


@pytest.mark.django_db
def test_objects_made_by_hand_are_left_alone(tmp_path) -> None:
    run(tmp_path, MINIMAL)
    workspace = Workspace.objects.get()
    AlertRule.objects.create(
        workspace=workspace, event="resolution_breached", destination="C0BYHAND"
    )
    output = run(tmp_path, MINIMAL)
    assert output.strip() == "No changes."
    assert AlertRule.objects.filter(destination="C0BYHAND").exists()


@pytest.mark.django_db
def test_renaming_the_global_policy_replaces_it(tmp_path) -> None:
    run(tmp_path, MINIMAL)
    run(tmp_path, MINIMAL.replace("{name: default,", "{name: standard,"))
    assert list(SLAPolicy.objects.filter(scope="global").values_list("name", flat=True)) == [
        "standard"
    ]


@pytest.mark.django_db
def test_calendar_is_created_and_linked(tmp_path) -> None:
    run(tmp_path, EXAMPLE.read_text())
    partners = SLAPolicy.objects.select_related("calendar").get(name="partners")
    assert partners.calendar.name == "berlin-office"
    assert partners.calendar.weekly_hours["fri"] == ["09:00-16:00"]
    assert partners.calendar.holidays == ["2026-12-24", "2026-12-31"]
    premium = SLAPolicy.objects.get(name="initech-premium")
    assert (premium.escalation_minutes, premium.escalation_destination) == (60, "C0ESCAL")


INVALID = [
    (
        "unknown key",
        MINIMAL.replace("name: acme-globex,", "name: acme-globex, colour: red,"),
        "config.yaml:3: channels[0].colour: unknown key 'colour'",
    ),
    (
        "first response too short",
        MINIMAL.replace("first_response_minutes: 30,", "first_response_minutes: 20,"),
        "config.yaml:6: sla_policies[0].first_response_minutes: 20 is outside 30..2880",
    ),
    (
        "first response too long",
        MINIMAL.replace("first_response_minutes: 240", "first_response_minutes: 2881"),
        "config.yaml:7: sla_policies[1].first_response_minutes: 2881 is outside 30..2880",
    ),
    (
        "unknown channel scope",
        MINIMAL.replace("scope: {segment: partner}", "scope: {channel: C0NOPE}"),
        "config.yaml:7: sla_policies[1].scope.channel: unknown channel 'C0NOPE'",
    ),
    (
        "unknown segment",
        MINIMAL.replace("segment: partner, monitored", "segment: vip, monitored"),
        "config.yaml:4: channels[1].segment: 'vip' is not one of",
    ),
    (
        "unknown event",
        MINIMAL.replace("event: request_detected", "event: request_seen"),
        "config.yaml:9: alert_rules[0].event: 'request_seen' is not one of",
    ),
    (
        "bad scope shape",
        MINIMAL.replace("scope: {segment: partner}", "scope: partners"),
        "config.yaml:7: sla_policies[1].scope: invalid scope 'partners'",
    ),
    (
        "missing workspace",
        MINIMAL.replace("workspace: {team_id: T0001, name: Acme}\n", ""),
        "missing required key 'workspace'",
    ),
    ("bad yaml", MINIMAL + "  - {event: [\n", "invalid YAML"),
    (
        "two global policies",
        MINIMAL.replace(
            "{name: partners, scope: {segment: partner}", "{name: partners, scope: global"
        ),
        "only one enabled policy per scope",
    ),
    (
        "bad calendar hours",
        MINIMAL
        + "calendars:\n  - {name: office, timezone: Mars/Olympus, hours: {mon: ['09:00-17:00']}}\n",
        "config.yaml:12: calendars[0]: calendar 'office'",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "text", "message"), INVALID, ids=[case[0] for case in INVALID])
def test_invalid_file_names_the_line_and_writes_nothing(tmp_path, case, text, message) -> None:
    ChannelFactory(channel_id="C0OTHER")
    before = snapshot()
    with pytest.raises(CommandError) as error:
        run(tmp_path, text)
    assert message in str(error.value)
    assert snapshot() == before


@pytest.mark.django_db
def test_channel_scope_may_name_a_channel_the_workspace_already_knows(tmp_path) -> None:
    ChannelFactory(channel_id="C0KNOWN")
    run(tmp_path, MINIMAL.replace("scope: {segment: partner}", "scope: {channel: C0KNOWN}"))
    assert SLAPolicy.objects.get(name="partners").channel.channel_id == "C0KNOWN"


@pytest.mark.django_db
def test_conflict_with_a_hand_made_policy_is_reported_not_crashed(tmp_path) -> None:
    run(tmp_path, "workspace: {team_id: T0001}\n")
    SLAPolicy.objects.create(
        workspace=Workspace.objects.get(), name="by-hand", scope="global", first_response_minutes=60
    )
    with pytest.raises(CommandError, match="conflicts with objects not managed by it"):
        run(tmp_path, MINIMAL)
    assert not SLAPolicy.objects.filter(name="default").exists()
