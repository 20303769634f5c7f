"""Turns a :class:`ConfigSpec` into a plan of changes, and applies it in one transaction.

The file is the truth for the objects it manages (``is_config_managed``) in its workspace:
listed objects are created or updated, managed objects it no longer lists are removed
(channels, which carry history, are unmanaged and stop being monitored instead). An object
created by hand with the same identity is adopted. Running the same file twice plans nothing.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model

from alerts.models import AlertRule
from sla.models import BusinessHoursCalendar, SLAPolicy
from slack_integration.configfile.loader import ConfigError, ConfigSpec, rule_key
from slack_integration.models import Channel, Workspace


@dataclass(frozen=True)
class Change:
    """One planned change: ``fields`` maps a field to its (old, new) value."""

    action: str  # create | update | delete | unmanage
    kind: str  # workspace | channel | calendar | sla_policy | alert_rule
    key: str
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    def describe(self) -> str:
        sign = {"create": "+", "update": "~", "delete": "-", "unmanage": "-"}[self.action]
        head = f"{sign} {self.action} {self.kind} {self.key}"
        if self.action == "unmanage":
            head += " (no longer in the file: monitoring off)"
        details = [
            f"    {name}: {old!r} -> {new!r}" if self.action == "update" else f"    {name}: {new!r}"
            for name, (old, new) in self.fields.items()
        ]
        return "\n".join([head, *details]) if self.action != "delete" else head


CHANNEL_FIELDS = [
    "name",
    "segment",
    "is_monitored",
    "detection_strictness",
    "post_ticket_links_in_thread",
    "sync_reactions",
]
CALENDAR_FIELDS = ["timezone", "weekly_hours", "holidays", "country", "subdivision"]
POLICY_FIELDS = [
    "scope",
    "segment",
    "channel",
    "first_response_minutes",
    "next_response_minutes",
    "resolution_minutes",
    "calendar",
    "warning_percent",
    "escalation_minutes",
    "escalation_destination",
    "response_scope",
    "assignment_counts_as_response",
    "reopen_on_customer_reply",
    "is_enabled",
]
RULE_FIELDS = ["name", "scope", "segment", "channel", "event", "destination", "is_enabled"]


def _natural(instance: Model, name: str) -> Any:
    """A field's value with foreign keys given by natural key (channel ID, calendar name)."""
    if name == "channel":
        return instance.channel.channel_id if instance.channel_id else None
    if name == "calendar":
        return instance.calendar.name if instance.calendar_id else None
    return getattr(instance, name)


def _diff(instance: Model | None, desired: dict[str, Any], names: list[str]) -> dict:
    if instance is None:
        return {name: (None, desired[name]) for name in names}
    changed = {}
    for name in names:
        current = _natural(instance, name)
        if current != desired[name]:
            changed[name] = (current, desired[name])
    return changed


def _plan_kind(
    kind: str,
    desired: dict[str, dict],
    existing: dict[str, Model],
    names: list[str],
    *,
    removal: str,
) -> list[Change]:
    changes = []
    for key, fields in desired.items():
        instance = existing.get(key)
        diff = _diff(instance, fields, names)
        if instance is None:
            changes.append(Change("create", kind, key, diff))
        elif diff or not instance.is_config_managed:
            changes.append(Change("update", kind, key, diff))
    for key, instance in existing.items():
        if key not in desired and instance.is_config_managed:
            changes.append(Change(removal, kind, key))
    return changes


def _existing_rules(workspace: Workspace | None) -> dict[str, AlertRule]:
    if workspace is None:
        return {}
    rules = {}
    for rule in AlertRule.objects.filter(workspace=workspace).select_related("channel"):
        if rule.config_key:
            rules[rule.config_key] = rule
        elif rule.name:
            rules.setdefault(f"name:{rule.name}", rule)
        else:
            fields = {name: _natural(rule, name) for name in RULE_FIELDS}
            rules.setdefault(rule_key(fields), rule)
    return rules


def _existing(
    workspace: Workspace | None, model: type[Model], key: str, related: Iterable[str] = ()
) -> dict[str, Model]:
    if workspace is None:
        return {}
    queryset = model.objects.filter(workspace=workspace).select_related(*related)
    return {getattr(instance, key): instance for instance in queryset}


def plan_config(spec: ConfigSpec) -> list[Change]:
    """The changes that applying ``spec`` would make, in the order they would be made."""
    workspace = Workspace.objects.filter(team_id=spec.team_id).first()
    changes = []
    workspace_diff = _diff(workspace, spec.workspace, list(spec.workspace))
    if workspace is None or workspace_diff:
        action = "create" if workspace is None else "update"
        changes.append(Change(action, "workspace", spec.team_id, workspace_diff))
    changes += _plan_kind(
        "channel",
        spec.channels,
        _existing(workspace, Channel, "channel_id"),
        CHANNEL_FIELDS,
        removal="unmanage",
    )
    changes += _plan_kind(
        "calendar",
        spec.calendars,
        _existing(workspace, BusinessHoursCalendar, "name"),
        CALENDAR_FIELDS,
        removal="delete",
    )
    changes += _plan_kind(
        "sla_policy",
        spec.sla_policies,
        _existing(workspace, SLAPolicy, "name", ["channel", "calendar"]),
        POLICY_FIELDS,
        removal="delete",
    )
    changes += _plan_kind(
        "alert_rule", spec.alert_rules, _existing_rules(workspace), RULE_FIELDS, removal="delete"
    )
    return changes


def _resolved(workspace: Workspace, fields: dict[str, Any]) -> dict[str, Any]:
    values = dict(fields)
    if "channel" in values:
        channel_id = values.pop("channel")
        values["channel"] = (
            Channel.objects.get(workspace=workspace, channel_id=channel_id) if channel_id else None
        )
    if "calendar" in values:
        name = values.pop("calendar")
        values["calendar"] = (
            BusinessHoursCalendar.objects.get(workspace=workspace, name=name) if name else None
        )
    return values


# Removals run first so that a renamed policy does not collide with the one it replaces;
# calendars are created before the policies that use them and deleted after them.
_ORDER = {
    ("delete", "alert_rule"): 0,
    ("delete", "sla_policy"): 1,
    ("unmanage", "channel"): 2,
    ("delete", "calendar"): 9,
}


def _apply_change(workspace: Workspace, spec: ConfigSpec, change: Change) -> None:
    if change.kind == "channel":
        if change.action == "unmanage":
            Channel.objects.filter(workspace=workspace, channel_id=change.key).update(
                is_config_managed=False, is_monitored=False
            )
            return
        Channel.objects.update_or_create(
            workspace=workspace,
            channel_id=change.key,
            defaults={**spec.channels[change.key], "is_config_managed": True},
        )
        return
    if change.kind == "calendar":
        if change.action == "delete":
            calendar = BusinessHoursCalendar.objects.get(workspace=workspace, name=change.key)
            users = list(calendar.policies.values_list("name", flat=True))
            if users:
                raise ConfigError(
                    [
                        f"calendar {change.key!r} is removed from the file but still "
                        f"used by SLA policies {users}"
                    ]
                )
            calendar.delete()
            return
        BusinessHoursCalendar.objects.update_or_create(
            workspace=workspace,
            name=change.key,
            defaults={**spec.calendars[change.key], "is_config_managed": True},
        )
        return
    if change.kind == "sla_policy":
        if change.action == "delete":
            SLAPolicy.objects.filter(workspace=workspace, name=change.key).delete()
            return
        SLAPolicy.objects.update_or_create(
            workspace=workspace,
            name=change.key,
            defaults={
                **_resolved(workspace, spec.sla_policies[change.key]),
                "is_config_managed": True,
            },
        )
        return
    existing = _existing_rules(workspace).get(change.key)
    if change.action == "delete":
        existing.delete()
        return
    values = {
        **_resolved(workspace, spec.alert_rules[change.key]),
        "is_config_managed": True,
        "config_key": change.key,
    }
    if existing is None:
        AlertRule.objects.create(workspace=workspace, **values)
    else:
        for name, value in values.items():
            setattr(existing, name, value)
        existing.save(update_fields=[*values, "updated_at"])


def apply_config(spec: ConfigSpec) -> list[Change]:
    """Applies ``spec`` atomically and returns the changes made (empty when up to date)."""
    changes = plan_config(spec)
    if not changes:
        return changes
    ordered = sorted(changes, key=lambda change: _ORDER.get((change.action, change.kind), 5))
    try:
        with transaction.atomic():
            workspace, _ = Workspace.objects.update_or_create(
                team_id=spec.team_id, defaults=spec.workspace
            )
            for change in ordered:
                if change.kind != "workspace":
                    _apply_change(workspace, spec, change)
    except IntegrityError as error:
        raise ConfigError(
            [
                "the file conflicts with objects not managed by it (for example a second enabled "
                f"SLA policy for the same scope, created in the admin): {error}"
            ]
        ) from error
    return changes
