"""Replaying Slack payloads from a JSONL file: parse, rewrite ids and times, sign, post.

Used by ``manage.py simulate`` and ``bench/``. Everything but :func:`send` is pure: no
Django, no network, no clock (the caller passes ``now``), so it is tested directly.

The file has one payload per line:

- an Events API object (``{"type": "event_callback", "event": {...}, ...}``), sent as JSON;
- ``{"form": {...}}``: a form-encoded body (slash command, interactivity). A value that is
  an object or a list (``payload``) is JSON-encoded for you.

Blank lines and lines starting with ``#`` are skipped. A line that is not a JSON object is
reported with its line number and skipped.

What is rewritten, and nothing else:

- **event_id.** Each ``event_callback`` gets a fresh ``event_id`` unique to the run
  (``EvSIM<run><index>``), so replaying a file stores new events. A line with
  ``"keep_event_id": true`` keeps its own: use it to replay a Slack retry (same
  ``event_id``, with ``"retry_num": 1`` for the ``X-Slack-Retry-Num`` header).
- **Timestamps** (unless disabled). All ``event_callback`` payloads are shifted by one whole
  number of seconds so the file's latest message lands within the second before ``now``
  (never in the future), so SLA clocks start fresh. The spacing between messages is kept
  and a thread's ``thread_ts`` still equals its parent's ``ts``. Shifted keys inside
  ``event`` are ``ts``, ``event_ts``, ``thread_ts``, ``deleted_ts``, ``message_ts``
  and ``latest_reply`` (at any depth: ``message.ts``, ``item.ts``, ``edited.ts``), plus the
  envelope's ``event_time``. Form bodies are never shifted.

The control keys ``keep_event_id``, ``retry_num`` and ``comment`` are removed before sending.

Replaying a conversation into the same database is not a clean slate: each run's messages
are new (new ts), but they overlap the earlier run's timeline, so a customer's message
within the workspace's grouping window of their earlier (still open) request joins it
instead of opening a new one. Use a fresh database for a clean demo.
"""

import contextlib
import hashlib
import hmac
import json
import math
import re
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

CONTROL_KEYS = ("keep_event_id", "retry_num", "comment")
TS_KEYS = frozenset({"ts", "event_ts", "thread_ts", "deleted_ts", "message_ts", "latest_reply"})
MAX_UNIX_SECONDS = 10**11
_TS_PATTERN = re.compile(r"^(\d{9,11})(\.\d+)?$")
JSON_CONTENT_TYPE = "application/json"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class PreparedPost:
    """One request to send: the exact body, its content type and what to print for it."""

    index: int  # 1-based position among the posts
    line_number: int
    label: str  # event type[/subtype], payload type, or slash command
    body: bytes
    content_type: str
    event_id: str | None = None
    headers: dict[str, str] = field(default_factory=dict)  # besides the signature

    @property
    def is_event(self) -> bool:
        return self.event_id is not None


@dataclass(frozen=True)
class BadLine:
    """A line that was skipped, and why."""

    line_number: int
    problem: str


@dataclass(frozen=True)
class ParsedFile:
    posts: list[PreparedPost]
    bad_lines: list[BadLine]
    ts_offset_seconds: int = 0


@dataclass(frozen=True)
class PostResult:
    """What the server answered. ``status`` is None when it could not be reached."""

    status: int | None
    latency_ms: float
    detail: str = ""

    @property
    def is_ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def new_run_id() -> str:
    """A short random tag that makes this run's event ids unique."""
    return secrets.token_hex(4).upper()


def signature_headers(body: bytes, *, secret: str, timestamp: int) -> dict[str, str]:
    """Slack's signing headers: ``v0=hex(hmac_sha256(secret, "v0:" + ts + ":" + body))``."""
    stamp = str(timestamp)
    digest = hmac.new(secret.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": "v0=" + digest.hexdigest()}


def shift_timestamps(value: Any, offset_seconds: int) -> Any:
    """A copy of ``value`` with every Slack ts under a known key moved by whole seconds."""
    if isinstance(value, dict):
        return {
            key: _shift_one(item, offset_seconds)
            if key in TS_KEYS
            else shift_timestamps(item, offset_seconds)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [shift_timestamps(item, offset_seconds) for item in value]
    return value


def _shift_one(value: Any, offset_seconds: int) -> Any:
    """``"1741010712.000100"`` → ``"<seconds + offset>.000100"``; other values unchanged."""
    if isinstance(value, str):
        match = _TS_PATTERN.match(value)
        if match:
            return f"{int(match.group(1)) + offset_seconds}{match.group(2) or ''}"
        return value
    if isinstance(value, dict | list):
        return shift_timestamps(value, offset_seconds)
    return value


def latest_event_time(payloads: list[dict[str, Any]]) -> float | None:
    """The latest message time among event_callback payloads (``event.ts``, else event_time)."""
    latest: float | None = None
    for payload in payloads:
        if payload.get("type") != "event_callback":
            continue
        event = payload.get("event") if isinstance(payload.get("event"), dict) else {}
        for candidate in (event.get("ts"), event.get("event_ts"), payload.get("event_time")):
            moment = _as_seconds(candidate)
            if moment is not None:
                latest = moment if latest is None else max(latest, moment)
                break
    return latest


def _as_seconds(value: Any) -> float | None:
    """A plausible Unix time from a number or a Slack ts string; None for anything else
    (JSON allows NaN, Infinity and huge integers, which must not break the shift)."""
    if isinstance(value, str) and _TS_PATTERN.match(value):
        return float(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        with contextlib.suppress(OverflowError):
            if math.isfinite(value) and 0 <= value < MAX_UNIX_SECONDS:
                return float(value)
    return None


def offset_to_now(payloads: list[dict[str, Any]], now: float) -> int:
    """Whole seconds that move the latest event into the second before ``now`` (0 if none)."""
    latest = latest_event_time(payloads)
    return 0 if latest is None else math.floor(now - latest)


def read_lines(lines: list[str]) -> tuple[list[tuple[int, dict[str, Any]]], list[BadLine]]:
    """Decodes the JSON objects of a JSONL file: ``[(line_number, object)]`` and bad lines."""
    objects: list[tuple[int, dict[str, Any]]] = []
    bad_lines: list[BadLine] = []
    for line_number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        try:
            value = json.loads(text)
        except ValueError as error:
            bad_lines.append(BadLine(line_number, f"invalid JSON: {error}"))
            continue
        problem = _line_problem(value)
        if problem:
            bad_lines.append(BadLine(line_number, problem))
            continue
        objects.append((line_number, value))
    return objects, bad_lines


def _line_problem(value: Any) -> str:
    if not isinstance(value, dict):
        return f"expected a JSON object, got {type(value).__name__}"
    if "form" in value:
        if not isinstance(value["form"], dict):
            return "`form` must be an object"
        return ""
    if not isinstance(value.get("type"), str):
        return "an Events API payload needs a string `type` (or use `form`)"
    retry_num = value.get("retry_num", 0)
    if not isinstance(retry_num, int) or isinstance(retry_num, bool) or retry_num < 0:
        return "`retry_num` must be a non-negative integer"
    return ""


def parse_jsonl(text: str, *, now: float, run_id: str, shift_ts: bool = True) -> ParsedFile:
    """Turns a JSONL file into the posts to send (unsigned: sign at send time)."""
    # Split on newlines only: str.splitlines() would also split inside a JSON string that
    # holds a raw U+2028, which is valid JSON.
    objects, bad_lines = read_lines(text.split("\n"))
    events = [value for _, value in objects if "form" not in value]
    offset = offset_to_now(events, now) if shift_ts else 0
    posts = [
        _form_post(index, line_number, value["form"])
        if "form" in value
        else _json_post(index, line_number, value, run_id=run_id, offset_seconds=offset)
        for index, (line_number, value) in enumerate(objects, start=1)
    ]
    return ParsedFile(posts=posts, bad_lines=bad_lines, ts_offset_seconds=offset)


def _json_post(
    index: int, line_number: int, line: dict[str, Any], *, run_id: str, offset_seconds: int
) -> PreparedPost:
    payload = {key: value for key, value in line.items() if key not in CONTROL_KEYS}
    event_id = None
    if payload.get("type") == "event_callback":
        if not line.get("keep_event_id"):
            payload["event_id"] = f"EvSIM{run_id}{index:05d}"
        event_id = str(payload.get("event_id", ""))
        if offset_seconds:
            payload["event"] = shift_timestamps(payload.get("event"), offset_seconds)
            event_time = _as_seconds(payload.get("event_time"))
            if event_time is not None:
                payload["event_time"] = int(event_time) + offset_seconds
    headers = {}
    if line.get("retry_num"):
        headers = {
            "X-Slack-Retry-Num": str(line["retry_num"]),
            "X-Slack-Retry-Reason": "http_timeout",
        }
    return PreparedPost(
        index=index,
        line_number=line_number,
        label=payload_label(payload),
        body=json.dumps(payload).encode(),
        content_type=JSON_CONTENT_TYPE,
        event_id=event_id,
        headers=headers,
    )


def _form_post(index: int, line_number: int, form: dict[str, Any]) -> PreparedPost:
    fields = {key: _form_value(value) for key, value in form.items()}
    return PreparedPost(
        index=index,
        line_number=line_number,
        label=form_label(form),
        body=urlencode(fields).encode(),
        content_type=FORM_CONTENT_TYPE,
    )


def _form_value(value: Any) -> str:
    """Objects and lists as compact JSON (Slack's ``payload``), booleans as Slack writes them."""
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def payload_label(payload: dict[str, Any]) -> str:
    """``message``, ``message/bot_message``, ``reaction_added`` or ``url_verification``."""
    if payload.get("type") != "event_callback":
        return str(payload.get("type"))
    event = payload.get("event") if isinstance(payload.get("event"), dict) else {}
    label = str(event.get("type") or "event")
    return f"{label}/{event['subtype']}" if event.get("subtype") else label


def form_label(form: dict[str, Any]) -> str:
    """The slash command (never its text), or the interactivity payload's type and id."""
    if form.get("command"):
        return str(form["command"])
    payload = form.get("payload")
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError:
            return "form"
    if not isinstance(payload, dict):
        return "form"
    kind = str(payload.get("type") or "payload")
    actions = payload.get("actions")
    if isinstance(actions, list) and actions and isinstance(actions[0], dict):
        return f"{kind}/{actions[0].get('action_id', '')}"
    view = payload.get("view")
    if isinstance(view, dict) and view.get("callback_id"):
        return f"{kind}/{view['callback_id']}"
    return kind


def send(
    post: PreparedPost,
    *,
    url: str,
    secret: str,
    timeout_seconds: float = 10.0,
    timestamp: int | None = None,
) -> PostResult:
    """Signs ``post`` with the current time and POSTs it with urllib.

    Returns the status (also for 4xx/5xx) and the latency. ``status`` is None when the
    server could not be reached; ``detail`` then says why.
    """
    stamp = int(time.time()) if timestamp is None else timestamp
    headers = {
        "Content-Type": post.content_type,
        **post.headers,
        **signature_headers(post.body, secret=secret, timestamp=stamp),
    }
    # The URL is the operator's own server (S310 warns about file: and custom schemes).
    request = urllib.request.Request(url, data=post.body, headers=headers, method="POST")  # noqa: S310
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout_seconds) as response:  # noqa: S310
            response.read()
            status = response.status
            detail = ""
    except urllib.error.HTTPError as error:
        status, detail = error.code, _error_detail(error)
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        return PostResult(None, (time.perf_counter() - started) * 1000, str(reason))
    return PostResult(status, (time.perf_counter() - started) * 1000, detail)


def _error_detail(error: urllib.error.HTTPError) -> str:
    """The server's error message (our JSON error shape), shortened."""
    try:
        body = error.read().decode("utf-8", "replace")
    except OSError:
        return ""
    try:
        message = json.loads(body).get("error", {}).get("message", "")
    except (ValueError, AttributeError):
        message = body
    return " ".join(str(message).split())[:200]
