"""Reads and validates a config-as-code YAML file, reporting errors by line and key.

The result is a :class:`ConfigSpec`: plain desired field values per object, keyed by each
object's natural identity. Nothing here touches the database except the channel-scope
check, which accepts channels the workspace already knows.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from alerts.models import AlertEvent
from sla.business_hours import CalendarError, calendar_from_config
from sla.models import FIRST_RESPONSE_MINUTES_MAX, FIRST_RESPONSE_MINUTES_MIN, ResponseScope
from slack_integration.models import Segment, Strictness

Path_ = tuple[str | int, ...]


class ConfigError(Exception):
    """The file is invalid; ``errors`` holds one line per problem, each naming line and key."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class ConfigSpec:
    """The desired state. Foreign keys are natural keys: channel IDs and calendar names."""

    team_id: str
    workspace: dict[str, Any]
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    calendars: dict[str, dict[str, Any]] = field(default_factory=dict)
    sla_policies: dict[str, dict[str, Any]] = field(default_factory=dict)
    alert_rules: dict[str, dict[str, Any]] = field(default_factory=dict)


def _to_python(loader: yaml.SafeLoader, node: yaml.Node, path: Path_, lines: dict) -> Any:
    """Converts a YAML node tree to Python, recording each path's line number."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            lines[(*path, key)] = key_node.start_mark.line + 1
            if key in result:
                raise ConfigError([f"line {key_node.start_mark.line + 1}: duplicate key {key!r}"])
            result[key] = _to_python(loader, value_node, (*path, key), lines)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _to_python(loader, item, (*path, index), lines) for index, item in enumerate(node.value)
        ]
    return loader.construct_object(node, deep=True)


def parse_yaml(text: str) -> tuple[Any, dict[Path_, int]]:
    """Parses YAML text into Python data plus a map from key path to line number."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise ConfigError(["the file is empty"])
        lines: dict[Path_, int] = {}
        return _to_python(loader, node, (), lines), lines
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ConfigError([f"{where}invalid YAML: {problem}"]) from error
    finally:
        loader.dispose()


def _describe(path: Path_) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


class _Validator:
    """Collects every error with its line, so one run reports all of them."""

    def __init__(self, lines: dict[Path_, int], source: str):
        self.lines = lines
        self.source = source
        self.errors: list[str] = []

    def error(self, path: Path_, message: str) -> None:
        probe = path
        while probe and probe not in self.lines:
            probe = probe[:-1]
        line = self.lines.get(probe, 1)
        self.errors.append(f"{self.source}:{line}: {_describe(path)}: {message}")

    def mapping(self, value: Any, path: Path_, allowed: set[str], required: set[str]) -> dict:
        if not isinstance(value, dict):
            self.error(path, f"expected a mapping, got {type(value).__name__}")
            return {}
        for key in value:
            if key not in allowed:
                self.error(
                    (*path, key), f"unknown key {key!r} (allowed: {', '.join(sorted(allowed))})"
                )
        for key in sorted(required - set(value)):
            self.error(path, f"missing required key {key!r}")
        return value

    def items(self, data: dict, key: str) -> list[tuple[Path_, Any]]:
        value = data.get(key, [])
        if value is None:
            return []
        if not isinstance(value, list):
            self.error((key,), "expected a list")
            return []
        return [((key, index), item) for index, item in enumerate(value)]

    def string(self, value: Any, path: Path_, *, choices: list[str] | None = None) -> str:
        if not isinstance(value, str) or not value.strip():
            self.error(path, f"expected a non-empty string, got {value!r}")
            return ""
        if choices is not None and value not in choices:
            self.error(path, f"{value!r} is not one of: {', '.join(choices)}")
        return value

    def boolean(self, value: Any, path: Path_) -> bool:
        if not isinstance(value, bool):
            self.error(path, f"expected true or false, got {value!r}")
            return False
        return value

    def integer(self, value: Any, path: Path_, *, low: int, high: int | None = None) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(path, f"expected a whole number, got {value!r}")
            return None
        if value < low or (high is not None and value > high):
            bounds = f"{low}..{high}" if high is not None else f">= {low}"
            self.error(path, f"{value} is outside {bounds}")
        return value


WORKSPACE_KEYS = {
    "team_id",
    "name",
    "timezone",
    "detection_strictness",
    "grouping_window_seconds",
    "request_reaction",
    "internal_email_domains",
}
CHANNEL_KEYS = {
    "id",
    "name",
    "segment",
    "monitored",
    "detection_strictness",
    "post_ticket_links_in_thread",
    "sync_reactions",
}
CALENDAR_KEYS = {"name", "timezone", "hours", "holidays", "country", "subdivision"}
POLICY_KEYS = {
    "name",
    "scope",
    "first_response_minutes",
    "next_response_minutes",
    "resolution_minutes",
    "calendar",
    "warning_percent",
    "escalation",
    "response_scope",
    "assignment_counts_as_response",
    "reopen_on_customer_reply",
    "enabled",
}
RULE_KEYS = {"name", "event", "scope", "destination", "enabled"}


def _workspace(check: _Validator, data: dict) -> tuple[str, dict[str, Any]]:
    raw = check.mapping(data.get("workspace"), ("workspace",), WORKSPACE_KEYS, {"team_id"})
    team_id = check.string(raw.get("team_id"), ("workspace", "team_id")) if raw else ""
    fields: dict[str, Any] = {
        "name": raw.get("name", ""),
        "timezone": raw.get("timezone", "UTC"),
        "detection_strictness": raw.get("detection_strictness", Strictness.BALANCED.value),
        "grouping_window_seconds": raw.get("grouping_window_seconds", 120),
        "request_reaction": raw.get("request_reaction", "ticket"),
        "internal_email_domains": raw.get("internal_email_domains", []),
    }
    path: Path_ = ("workspace",)
    if "name" in raw:
        check.string(raw["name"], (*path, "name"))
    if "timezone" in raw:
        _check_timezone(check, raw["timezone"], (*path, "timezone"))
    check.string(
        fields["detection_strictness"], (*path, "detection_strictness"), choices=Strictness.values
    )
    check.integer(
        fields["grouping_window_seconds"], (*path, "grouping_window_seconds"), low=0, high=3600
    )
    check.string(fields["request_reaction"], (*path, "request_reaction"))
    domains = fields["internal_email_domains"]
    if not isinstance(domains, list) or not all(isinstance(item, str) for item in domains):
        check.error((*path, "internal_email_domains"), "expected a list of domain names")
    else:
        fields["internal_email_domains"] = sorted(domain.lower().lstrip("@") for domain in domains)
    return team_id, fields


def _check_timezone(check: _Validator, value: Any, path: Path_) -> None:
    try:
        calendar_from_config(timezone=value, weekly_hours={})
    except CalendarError as error:
        check.error(path, str(error))


def _channels(check: _Validator, data: dict) -> dict[str, dict[str, Any]]:
    channels: dict[str, dict[str, Any]] = {}
    for path, raw in check.items(data, "channels"):
        raw = check.mapping(raw, path, CHANNEL_KEYS, {"id"})
        channel_id = check.string(raw.get("id"), (*path, "id")) if raw else ""
        fields = {
            "name": raw.get("name", ""),
            "segment": check.string(
                raw.get("segment", "customer"), (*path, "segment"), choices=Segment.values
            ),
            "is_monitored": check.boolean(raw.get("monitored", True), (*path, "monitored")),
            "detection_strictness": raw.get("detection_strictness", ""),
            "post_ticket_links_in_thread": check.boolean(
                raw.get("post_ticket_links_in_thread", False),
                (*path, "post_ticket_links_in_thread"),
            ),
            "sync_reactions": check.boolean(
                raw.get("sync_reactions", True), (*path, "sync_reactions")
            ),
        }
        if "detection_strictness" in raw:
            check.string(
                raw["detection_strictness"],
                (*path, "detection_strictness"),
                choices=Strictness.values,
            )
        if channel_id in channels:
            check.error((*path, "id"), f"channel {channel_id} is declared twice")
        channels[channel_id] = fields
    return channels


def _calendars(check: _Validator, data: dict) -> dict[str, dict[str, Any]]:
    calendars: dict[str, dict[str, Any]] = {}
    for path, raw in check.items(data, "calendars"):
        raw = check.mapping(raw, path, CALENDAR_KEYS, {"name", "timezone", "hours"})
        name = check.string(raw.get("name"), (*path, "name")) if raw else ""
        holidays = [
            item.isoformat() if isinstance(item, date) else item for item in raw.get("holidays", [])
        ]
        fields = {
            "timezone": raw.get("timezone", "UTC"),
            "weekly_hours": raw.get("hours", {}),
            "holidays": sorted(str(item) for item in holidays),
            "country": raw.get("country", "") or "",
            "subdivision": raw.get("subdivision", "") or "",
        }
        if raw:
            try:
                calendar_from_config(
                    timezone=fields["timezone"],
                    weekly_hours=fields["weekly_hours"],
                    holidays=holidays,
                    country=fields["country"] or None,
                    subdivision=fields["subdivision"] or None,
                )
            except (CalendarError, TypeError, AttributeError) as error:
                check.error(path, f"calendar {name!r}: {error}")
        if name in calendars:
            check.error((*path, "name"), f"calendar {name!r} is declared twice")
        calendars[name] = fields
    return calendars


def _scope(
    check: _Validator, value: Any, path: Path_, known_channels: Callable[[str], bool]
) -> dict[str, Any]:
    """``global``, ``{segment: partner}`` or ``{channel: C0123}`` → model fields."""
    if value == "global":
        return {"scope": "global", "segment": "", "channel": None}
    if isinstance(value, dict) and len(value) == 1:
        ((kind, target),) = value.items()
        if kind == "segment":
            check.string(target, (*path, "segment"), choices=Segment.values)
            return {"scope": "segment", "segment": target, "channel": None}
        if kind == "channel":
            if not isinstance(target, str) or not known_channels(target):
                check.error(
                    (*path, "channel"),
                    f"unknown channel {target!r}: declare it under `channels` first",
                )
            return {"scope": "channel", "segment": "", "channel": target}
    check.error(
        path, f"invalid scope {value!r}: use global, {{segment: NAME}} or {{channel: CHANNEL_ID}}"
    )
    return {"scope": "global", "segment": "", "channel": None}


def _policies(
    check: _Validator, data: dict, calendars: dict, known_channels: Callable
) -> dict[str, dict[str, Any]]:
    policies: dict[str, dict[str, Any]] = {}
    targets: dict[tuple, str] = {}
    for path, raw in check.items(data, "sla_policies"):
        raw = check.mapping(raw, path, POLICY_KEYS, {"name", "scope", "first_response_minutes"})
        if not raw:
            continue
        name = check.string(raw.get("name"), (*path, "name"))
        fields = _scope(check, raw.get("scope"), (*path, "scope"), known_channels)
        fields["first_response_minutes"] = check.integer(
            raw.get("first_response_minutes"),
            (*path, "first_response_minutes"),
            low=FIRST_RESPONSE_MINUTES_MIN,
            high=FIRST_RESPONSE_MINUTES_MAX,
        )
        for key, low, high in (
            ("next_response_minutes", FIRST_RESPONSE_MINUTES_MIN, FIRST_RESPONSE_MINUTES_MAX),
            ("resolution_minutes", 1, None),
            ("warning_percent", 1, 99),
        ):
            value = raw.get(key, 80 if key == "warning_percent" else None)
            fields[key] = (
                None if value is None else check.integer(value, (*path, key), low=low, high=high)
            )
        calendar = raw.get("calendar")
        if calendar is not None and calendar not in calendars:
            check.error(
                (*path, "calendar"), f"unknown calendar {calendar!r}: declare it under `calendars`"
            )
        fields["calendar"] = calendar
        fields.update(_escalation(check, raw.get("escalation"), (*path, "escalation")))
        fields["response_scope"] = check.string(
            raw.get("response_scope", ResponseScope.THREAD_OR_CHANNEL.value),
            (*path, "response_scope"),
            choices=ResponseScope.values,
        )
        for key, default in (
            ("assignment_counts_as_response", False),
            ("reopen_on_customer_reply", True),
        ):
            fields[key] = check.boolean(raw.get(key, default), (*path, key))
        fields["is_enabled"] = check.boolean(raw.get("enabled", True), (*path, "enabled"))
        target = (fields["scope"], fields["segment"], fields["channel"])
        if fields["is_enabled"] and target in targets:
            check.error(
                (*path, "scope"),
                f"policy {name!r} has the same scope as "
                f"{targets[target]!r}; only one enabled policy per scope",
            )
        targets.setdefault(target, name)
        if name in policies:
            check.error((*path, "name"), f"policy {name!r} is declared twice")
        policies[name] = fields
    return policies


def _escalation(check: _Validator, value: Any, path: Path_) -> dict[str, Any]:
    if value is None:
        return {"escalation_minutes": None, "escalation_destination": ""}
    raw = check.mapping(
        value, path, {"after_minutes", "destination"}, {"after_minutes", "destination"}
    )
    return {
        "escalation_minutes": check.integer(
            raw.get("after_minutes"), (*path, "after_minutes"), low=1
        ),
        "escalation_destination": check.string(raw.get("destination"), (*path, "destination")),
    }


def rule_key(fields: dict[str, Any]) -> str:
    """The identity of an unnamed rule: what it alerts, from where, to where."""
    target = fields["segment"] or fields["channel"] or ""
    return f"{fields['event']}|{fields['scope']}:{target}|{fields['destination']}"


def _rules(check: _Validator, data: dict, known_channels: Callable) -> dict[str, dict[str, Any]]:
    rules: dict[str, dict[str, Any]] = {}
    for path, raw in check.items(data, "alert_rules"):
        raw = check.mapping(raw, path, RULE_KEYS, {"event", "scope", "destination"})
        if not raw:
            continue
        fields = _scope(check, raw.get("scope"), (*path, "scope"), known_channels)
        fields["event"] = check.string(
            raw.get("event"), (*path, "event"), choices=AlertEvent.values
        )
        fields["destination"] = check.string(raw.get("destination"), (*path, "destination"))
        fields["name"] = raw.get("name", "") or ""
        fields["is_enabled"] = check.boolean(raw.get("enabled", True), (*path, "enabled"))
        key = (fields["name"] and f"name:{fields['name']}") or rule_key(fields)
        if key in rules:
            check.error(path, "this alert rule is declared twice")
        rules[key] = fields
    return rules


def load_config(
    text: str,
    *,
    source: str = "<config>",
    known_channel: Callable[[str, str], bool] = lambda team_id, channel_id: False,
) -> ConfigSpec:
    """Validates ``text``; raises :class:`ConfigError` listing every problem found.

    ``known_channel(team_id, channel_id)`` says whether a channel that the file does not
    declare already exists, so scopes may name it.
    """
    data, lines = parse_yaml(text)
    check = _Validator(lines, source)
    data = check.mapping(
        data,
        (),
        {"workspace", "channels", "calendars", "sla_policies", "alert_rules"},
        {"workspace"},
    )
    team_id, workspace = _workspace(check, data)
    channels = _channels(check, data)

    def channel_exists(channel_id: str) -> bool:
        return channel_id in channels or known_channel(team_id, channel_id)

    calendars = _calendars(check, data)
    policies = _policies(check, data, calendars, channel_exists)
    rules = _rules(check, data, channel_exists)
    if check.errors:
        raise ConfigError(check.errors)
    return ConfigSpec(
        team_id=team_id,
        workspace=workspace,
        channels=channels,
        calendars=calendars,
        sla_policies=policies,
        alert_rules=rules,
    )


def load_config_file(path: Path, **kwargs: Any) -> ConfigSpec:
    """Reads and validates a config file (see :func:`load_config`)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError([f"{path}: cannot read: {error.strerror}"]) from error
    return load_config(text, source=str(path), **kwargs)
