"""``manage.py simulate`` and its pure core: parsing, event ids, ts shifting, signing."""

import json
import socket
from io import StringIO
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st
from slack_sdk.signature import SignatureVerifier

from conftest import SHARED_PAYLOADS, SIGNING_SECRET
from requests_app.models import Request
from slack_integration.models import InboundEvent, InboundEventStatus
from slack_integration.simulate import (
    offset_to_now,
    parse_jsonl,
    shift_timestamps,
    signature_headers,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CONVERSATION = EXAMPLES / "conversation.jsonl"
NOW = 1_800_000_000.25
SHARED_MESSAGE = (SHARED_PAYLOADS / "message_channel.json").read_text()


class FixedClock:
    def __init__(self, now: float):
        self.time = now

    def now(self) -> float:
        return self.time


def jsonl(*lines: object) -> str:
    return "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)


def message_payload(ts: str, *, event_id: str = "Ev0FILE", **event: object) -> dict:
    payload = json.loads(SHARED_MESSAGE)
    payload["event"].update(ts=ts, event_ts=ts, **event)
    payload.update(event_id=event_id, event_time=int(float(ts)))
    return payload


def sent(post) -> dict:
    return json.loads(post.body)


# --- signing ---------------------------------------------------------------------------


def test_signature_verifies_with_slack_sdk_verifier() -> None:
    [post] = parse_jsonl(SHARED_MESSAGE.replace("\n", " "), now=NOW, run_id="R1").posts
    headers = signature_headers(post.body, secret=SIGNING_SECRET, timestamp=int(NOW))
    verifier = SignatureVerifier(SIGNING_SECRET, clock=FixedClock(NOW + 10))
    assert verifier.is_valid_request(post.body, headers)


def test_signature_matches_the_fixture_readme_test_vector() -> None:
    body = (SHARED_PAYLOADS / "message_channel.json").read_bytes()
    headers = signature_headers(body, secret=SIGNING_SECRET, timestamp=1741010713)
    assert headers == {
        "X-Slack-Request-Timestamp": "1741010713",
        "X-Slack-Signature": "v0=9eb5acf559c9708b67605aaef72fb874b11fe49353b329efe10db030a0f3712c",
    }


def test_signature_with_another_secret_is_rejected() -> None:
    body = b'{"type": "event_callback"}'
    headers = signature_headers(body, secret="not-the-secret", timestamp=int(NOW))
    verifier = SignatureVerifier(SIGNING_SECRET, clock=FixedClock(NOW))
    assert not verifier.is_valid_request(body, headers)


# --- parsing ---------------------------------------------------------------------------


def test_each_event_gets_a_fresh_event_id_unique_to_the_run() -> None:
    text = jsonl(message_payload("1741010712.000100"), message_payload("1741010713.000100"))
    first = parse_jsonl(text, now=NOW, run_id="RUNA").posts
    second = parse_jsonl(text, now=NOW, run_id="RUNB").posts
    ids = [post.event_id for post in first + second]
    assert len(set(ids)) == 4
    assert all(event_id.startswith("EvSIM") for event_id in ids)
    assert [sent(post)["event_id"] for post in first] == [post.event_id for post in first]


def test_keep_event_id_keeps_the_file_id_and_is_not_sent() -> None:
    line = {**message_payload("1741010712.000100", event_id="Ev0RETRY1"), "keep_event_id": True}
    [post] = parse_jsonl(jsonl(line), now=NOW, run_id="R1").posts
    assert post.event_id == "Ev0RETRY1"
    assert sent(post)["event_id"] == "Ev0RETRY1"
    assert "keep_event_id" not in sent(post)


def test_retry_num_becomes_slack_retry_headers() -> None:
    line = {**message_payload("1741010712.000100"), "keep_event_id": True, "retry_num": 2}
    [post] = parse_jsonl(jsonl(line), now=NOW, run_id="R1").posts
    assert post.headers == {"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "http_timeout"}
    assert "retry_num" not in sent(post)


def test_only_event_id_and_timestamps_are_rewritten() -> None:
    original = message_payload("1741010712.000100")
    [post] = parse_jsonl(jsonl(original), now=NOW, run_id="R1").posts
    body = sent(post)
    for key in ("event_id", "event_time"):
        body.pop(key), original.pop(key)
    for key in ("ts", "event_ts"):
        body["event"].pop(key), original["event"].pop(key)
    assert body == original


def test_form_line_is_url_encoded_with_payload_object_as_json() -> None:
    payload = json.loads((SHARED_PAYLOADS / "block_actions_assign.json").read_text())
    [post] = parse_jsonl(jsonl({"form": {"payload": payload}}), now=NOW, run_id="R1").posts
    assert post.content_type == "application/x-www-form-urlencoded"
    assert json.loads(parse_qs(post.body.decode())["payload"][0]) == payload
    assert post.label == "block_actions/assign_to_me"
    assert post.event_id is None


def test_slash_command_form_is_labelled_by_command_only() -> None:
    form = {"command": "/my", "text": "summary", "team_id": "T0001", "user_id": "U0VEND1"}
    [post] = parse_jsonl(jsonl({"form": form}), now=NOW, run_id="R1").posts
    assert parse_qs(post.body.decode())["text"] == ["summary"]
    assert post.label == "/my"


def test_bad_lines_are_reported_with_line_numbers_and_skipped() -> None:
    text = jsonl(
        message_payload("1741010712.000100"),
        "{not json",
        "",
        "# a comment",
        "[1, 2]",
        {"no": "type"},
        message_payload("1741010713.000100"),
    )
    parsed = parse_jsonl(text, now=NOW, run_id="R1")
    assert [bad.line_number for bad in parsed.bad_lines] == [2, 5, 6]
    assert "invalid JSON" in parsed.bad_lines[0].problem
    assert [post.line_number for post in parsed.posts] == [1, 7]
    assert [post.index for post in parsed.posts] == [1, 2]


PAYLOAD_KEYS = [
    "type",
    "event",
    "ts",
    "event_ts",
    "thread_ts",
    "event_time",
    "event_id",
    "form",
    "payload",
    "command",
    "retry_num",
    "keep_event_id",
]
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.floats()
    | st.integers()
    | st.text()
    | st.sampled_from(["event_callback", "1741010712.000100", "message"]),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(PAYLOAD_KEYS), children, max_size=5)
    ),
    max_leaves=12,
)
event_lines = st.fixed_dictionaries(
    {"type": st.just("event_callback"), "event": json_values},
    optional={
        "event_time": json_values,
        "event_id": json_values,
        "retry_num": json_values,
        "keep_event_id": json_values,
    },
)
jsonl_files = st.lists(json_values | event_lines, max_size=4).map(
    lambda values: "\n".join(json.dumps(value) for value in values)
)


@given(jsonl_files | st.text())
def test_parsing_never_raises(text: str) -> None:
    parsed = parse_jsonl(text, now=NOW, run_id="R1")
    assert len(parsed.posts) + len(parsed.bad_lines) <= len(text.split("\n"))


# --- timestamp shifting ----------------------------------------------------------------


def test_latest_message_lands_within_a_second_before_now_and_spacing_is_kept() -> None:
    text = jsonl(message_payload("1741010712.000100"), message_payload("1741010772.000200"))
    parsed = parse_jsonl(text, now=NOW, run_id="R1")
    first, second = (sent(post)["event"]["ts"] for post in parsed.posts)
    assert NOW - 1 < float(second) <= NOW
    assert second.endswith(".000200")
    assert float(second) - float(first) == pytest.approx(60.0001)
    assert sent(parsed.posts[1])["event_time"] == int(float(second))
    assert sent(parsed.posts[1])["event"]["event_ts"] == second


def test_thread_reply_still_points_at_its_shifted_parent() -> None:
    parent = message_payload("1741010712.000100")
    reply = message_payload("1741011312.000200", thread_ts="1741010712.000100")
    posts = parse_jsonl(jsonl(parent, reply), now=NOW, run_id="R1").posts
    assert sent(posts[1])["event"]["thread_ts"] == sent(posts[0])["event"]["ts"]


def test_nested_message_timestamps_are_shifted() -> None:
    event = {
        "type": "message",
        "subtype": "message_changed",
        "ts": "1741010832.000300",
        "message": {
            "ts": "1741010712.000100",
            "edited": {"ts": "1741010832.000000"},
            "text": "1741010712.000100 stays",
        },
    }
    shifted = shift_timestamps(event, 100)
    assert shifted["ts"] == "1741010932.000300"
    assert shifted["message"]["ts"] == "1741010812.000100"
    assert shifted["message"]["edited"]["ts"] == "1741010932.000000"
    assert shifted["message"]["text"] == "1741010712.000100 stays"


def test_no_shift_sends_timestamps_as_they_are() -> None:
    parsed = parse_jsonl(
        jsonl(message_payload("1741010712.000100")), now=NOW, run_id="R1", shift_ts=False
    )
    assert sent(parsed.posts[0])["event"]["ts"] == "1741010712.000100"
    assert parsed.ts_offset_seconds == 0


def test_offset_is_zero_without_events() -> None:
    assert offset_to_now([{"type": "url_verification", "challenge": "x"}], NOW) == 0


# --- the example conversation ----------------------------------------------------------


def test_example_conversation_is_shaped_like_the_shared_fixture() -> None:
    parsed = parse_jsonl(CONVERSATION.read_text(), now=NOW, run_id="R1")
    assert parsed.bad_lines == []
    fixture = json.loads(SHARED_MESSAGE)
    for post in parsed.posts:
        payload = sent(post)
        assert set(fixture) - {"event_context"} <= set(payload)
        assert payload["authorizations"][0]["team_id"] == "T0001"
        if payload["event"].get("subtype") != "bot_message":
            assert set(fixture["event"]) - {"blocks", "client_msg_id"} <= set(payload["event"])
    last = max(float(sent(post)["event"]["ts"]) for post in parsed.posts)
    assert NOW - 1 < last <= NOW


# --- the command -----------------------------------------------------------------------


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/slack/events"


def test_unreachable_server_fails_with_a_clear_message(settings) -> None:
    settings.SLACK_SIGNING_SECRET = SIGNING_SECRET
    with pytest.raises(CommandError, match=r"cannot reach http://127\.0\.0\.1:\d+/slack/events"):
        call_command("simulate", str(CONVERSATION), url=closed_port_url(), stdout=StringIO())


def test_missing_signing_secret_fails_before_posting(settings) -> None:
    settings.SLACK_SIGNING_SECRET = ""
    with pytest.raises(CommandError, match="SLACK_SIGNING_SECRET"):
        call_command("simulate", str(CONVERSATION), url=closed_port_url(), stdout=StringIO())


@pytest.fixture
def demo_slack(settings, fake_slack):
    """The demo config applied, the single-workspace token set, Slack on loopback."""
    settings.SLACK_BOT_TOKEN = "xoxb-test-token"
    call_command("apply_config", str(EXAMPLES / "demo_config.yaml"), stdout=StringIO())
    return fake_slack


@pytest.mark.django_db(transaction=True)
def test_conversation_is_stored_one_row_per_event(demo_slack, live_server) -> None:
    out = StringIO()
    call_command("simulate", str(CONVERSATION), url=f"{live_server.url}/slack/events", stdout=out)
    event_lines = [line for line in CONVERSATION.read_text().splitlines() if line.strip()]
    assert InboundEvent.objects.count() == len(event_lines)
    assert out.getvalue().count(" 200 ") == len(event_lines)


@pytest.mark.django_db(transaction=True)
def test_conversation_is_processed_without_errors(demo_slack, live_server) -> None:
    call_command(
        "simulate", str(CONVERSATION), url=f"{live_server.url}/slack/events", stdout=StringIO()
    )
    failures = list(
        InboundEvent.objects.exclude(
            status__in=[InboundEventStatus.PROCESSED, InboundEventStatus.IGNORED]
        ).values_list("event_id", "status", "last_error")
    )
    assert failures == []
    alerts = demo_slack.calls_to("chat.postMessage")
    assert alerts
    assert {call.params["channel"] for call in alerts} == {"C0TRIAGE"}


@pytest.mark.django_db(transaction=True)
def test_conversation_opens_requests_only_for_the_customer_asks(demo_slack, live_server) -> None:
    call_command(
        "simulate", str(CONVERSATION), url=f"{live_server.url}/slack/events", stdout=StringIO()
    )
    opened = sorted(Request.objects.values_list("root_message__text", flat=True))
    assert [text.split(",")[0][:24] for text in opened] == [
        "Also",  # no question mark, still a request
        "Hi team",
        "We need the audit log ex",  # the private channel G0PRIV1
        "still seeing 502s on the",  # lower case, no question mark
    ]  # not: "thanks!", "sounds good", ":+1:", the vendor's replies or the StatusPage bot


@pytest.mark.django_db(transaction=True)
def test_rejected_post_and_bad_line_make_the_command_fail(
    demo_slack, live_server, tmp_path
) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text(jsonl({"form": {"user_id": "U0VEND1"}}, "{oops"))
    out = StringIO()
    with pytest.raises(CommandError, match="1 posted, 1 failed, 1 line"):
        call_command(
            "simulate",
            str(path),
            url=f"{live_server.url}/slack/events",
            stdout=out,
            stderr=StringIO(),
        )
    assert " 400 " in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_private_channel_text_never_reaches_the_triage_channel(demo_slack, live_server) -> None:
    private_texts = [
        json.loads(line)["event"]["text"]
        for line in CONVERSATION.read_text().splitlines()
        if json.loads(line)["event"]["channel"] == "G0PRIV1"
    ]
    call_command(
        "simulate", str(CONVERSATION), url=f"{live_server.url}/slack/events", stdout=StringIO()
    )
    posted = json.dumps([call.params for call in demo_slack.calls_to("chat.postMessage")])
    assert private_texts
    assert "G0PRIV1" in posted  # the private request was alerted, by reference only
    assert not any(text in posted for text in private_texts)
