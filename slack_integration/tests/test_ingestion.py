"""Ingestion through /slack/events: signed payloads in, rows and Web API calls out."""

import copy
import itertools
import json
import time

import pytest

from alerts.models import Alert
from alerts.tests.factories import AlertRuleFactory
from conftest import load_payload
from requests_app.models import Message, Request
from slack_integration.models import Channel, InboundEvent, SlackUser
from slack_integration.tests.factories import ChannelFactory, WorkspaceFactory

_sequence = itertools.count(1)
SHARED_MESSAGE = load_payload("message_channel.json")
GINA_TEXT = SHARED_MESSAGE["event"]["text"]


def message_event(
    text: str,
    *,
    user: str = "U0CUST1",
    team: str = "T0GLOBEX",
    channel: str = "C0CUST1",
    ts: str | None = None,
    thread_ts: str | None = None,
    event_id: str | None = None,
    **extra: object,
) -> dict:
    """message_channel.json with its author, text, channel and ids replaced."""
    number = next(_sequence)
    payload = copy.deepcopy(SHARED_MESSAGE)
    event = payload["event"]
    event.update(
        user=user,
        text=text,
        channel=channel,
        team=team,
        user_team=team,
        source_team=team,
        ts=ts or f"{int(time.time()) - 60 + number}.{number:06d}",
    )
    event["user_profile"] = {
        **event["user_profile"],
        "team": team,
        "name": user.lower(),
        "real_name": user,
        "display_name": user.lower(),
    }
    event.pop("blocks")
    if thread_ts:
        event["thread_ts"] = thread_ts
    event.update(extra)
    payload["event_id"] = event_id or f"Ev0TEST{number:06d}"
    return payload


@pytest.fixture
def workspace(db, fake_slack):
    workspace = WorkspaceFactory(team_id="T0001", domain="acme")
    AlertRuleFactory(workspace=workspace, event="request_detected", destination="C0TRIAGE")
    return workspace


def posted_alerts(fake_slack) -> list[dict]:
    return [call.params for call in fake_slack.calls_to("chat.postMessage")]


def test_customer_message_opens_one_request_and_posts_one_alert(
    workspace, fake_slack, post_to_slack
) -> None:
    response = post_to_slack(load_payload("message_channel.json"))
    assert response.status_code == 200
    customer_request = Request.objects.get()
    assert customer_request.customer.user_id == "U0CUST1"
    assert customer_request.channel.channel_id == "C0CUST1"
    assert customer_request.detection_stage in ("local_classifier", "llm")
    assert customer_request.detection_reason
    alert = Alert.objects.get()
    assert (alert.status, alert.destination, alert.event) == (
        "sent",
        "C0TRIAGE",
        "request_detected",
    )
    [params] = posted_alerts(fake_slack)
    assert params["channel"] == "C0TRIAGE"
    assert params["unfurl_links"] is False
    assert params["unfurl_media"] is False
    blocks = json.dumps(params["blocks"])
    assert "nightly export to S3 failed" in blocks  # public channel: the excerpt is shown
    assert alert.slack_ts
    assert alert.slack_channel == "C0TRIAGE"
    assert "archives/C0CUST1/p1741010712000100" in blocks  # permalink as the button URL


def test_event_row_is_stored_and_marked_processed(workspace, post_to_slack) -> None:
    post_to_slack(load_payload("message_channel.json"))
    inbound = InboundEvent.objects.get()
    assert (inbound.event_id, inbound.team_id, inbound.status) == (
        "Ev0CUSTMSG01",
        "T0001",
        "processed",
    )


def test_internal_user_message_opens_no_request(workspace, fake_slack, post_to_slack) -> None:
    post_to_slack(
        message_event(
            "Our export to S3 keeps failing, can someone check?", user="U0VEND1", team="T0001"
        )
    )
    assert Request.objects.count() == 0
    assert posted_alerts(fake_slack) == []
    assert Message.objects.get().is_from_customer is False


def test_slack_retry_of_the_same_event_is_a_no_op(workspace, fake_slack, post_to_slack) -> None:
    payload = load_payload("message_channel.json")
    post_to_slack(payload)
    retry = post_to_slack(
        payload,
        headers={"HTTP_X_SLACK_RETRY_NUM": "1", "HTTP_X_SLACK_RETRY_REASON": "http_timeout"},
    )
    assert retry.status_code == 200
    assert InboundEvent.objects.get().retry_count == 1
    assert Request.objects.count() == 1
    assert len(posted_alerts(fake_slack)) == 1


def test_bad_signature_is_401_and_stores_nothing(workspace, post_to_slack) -> None:
    response = post_to_slack(load_payload("message_channel.json"), secret="not-the-secret")
    assert response.status_code == 401
    assert InboundEvent.objects.count() == 0


def test_stale_timestamp_is_401_and_stores_nothing(workspace, post_to_slack) -> None:
    response = post_to_slack(load_payload("message_channel.json"), timestamp=int(time.time()) - 301)
    assert response.status_code == 401
    assert InboundEvent.objects.count() == 0


def test_shared_signing_vector_is_rejected_as_stale(workspace, client) -> None:
    """The README's vector is validly signed in 2025, so the real clock rejects it."""
    body = (load_payload.__globals__["SHARED_PAYLOADS"] / "message_channel.json").read_bytes()
    response = client.generic(
        "POST",
        "/slack/events",
        body,
        content_type="application/json",
        HTTP_X_SLACK_REQUEST_TIMESTAMP="1741010713",
        HTTP_X_SLACK_SIGNATURE="v0=9eb5acf559c9708b67605aaef72fb874b11fe49353b329efe10db030a0f3712c",
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"type": "event_callback", "event_id": ', "malformed JSON body"),
        (b'["not", "an", "object"]', "must be an object"),
        (b'{"type": "event_callback", "event": {}}', "needs a string `event_id`"),
    ],
)
def test_malformed_body_is_400_with_a_message(workspace, post_to_slack, body, message) -> None:
    response = post_to_slack(body)
    assert response.status_code == 400
    assert message in response.json()["error"]["message"]
    assert InboundEvent.objects.count() == 0


def test_url_verification_is_answered(db, fake_slack, post_to_slack) -> None:
    response = post_to_slack(load_payload("url_verification.json"))
    assert response.status_code == 200
    assert response.json()["challenge"] == load_payload("url_verification.json")["challenge"]


def test_private_channel_alert_carries_no_text(workspace, fake_slack, post_to_slack) -> None:
    ChannelFactory(
        workspace=workspace,
        channel_id="G0PRIV1",
        name="escalations",
        is_private=True,
        is_monitored=True,
        segment="customer",
        info_fetched_at="2999-01-01T00:00:00Z",
    )
    secret_text = "Our payroll export for ACME-SECRET-PROJECT is broken, please fix it today"
    post_to_slack(message_event(secret_text, channel="G0PRIV1", channel_type="group"))
    assert Request.objects.get().channel.channel_id == "G0PRIV1"
    [params] = posted_alerts(fake_slack)
    everything_sent = json.dumps([call.params for call in fake_slack.calls])
    assert "ACME-SECRET-PROJECT" not in everything_sent
    assert "payroll" not in everything_sent
    assert "Private channel" in json.dumps(params["blocks"])
    assert params["unfurl_links"] is False
    assert params["unfurl_media"] is False


def test_customer_thread_reply_joins_the_request(workspace, fake_slack, post_to_slack) -> None:
    post_to_slack(load_payload("message_channel.json"))
    post_to_slack(
        message_event(
            "Also the CSV export fails with the same error, can you check?",
            thread_ts="1741010712.000100",
        )
    )
    customer_request = Request.objects.get()
    assert customer_request.messages.count() == 2
    assert len(posted_alerts(fake_slack)) == 1


def test_vendor_thread_reply_records_the_first_response(workspace, post_to_slack) -> None:
    post_to_slack(load_payload("message_channel.json"))
    post_to_slack(load_payload("thread_reply.json"))
    customer_request = Request.objects.get()
    assert customer_request.first_responder.user_id == "U0VEND1"
    assert customer_request.first_response_at.timestamp() == pytest.approx(1741011312.0002)


def test_consecutive_messages_from_one_customer_group_into_one_request(
    workspace, fake_slack, post_to_slack
) -> None:
    now = int(time.time())
    post_to_slack(
        message_event("Our dashboard has not loaded since this morning", ts=f"{now - 50}.000001")
    )
    post_to_slack(
        message_event("It shows a 500 error for every user on our team", ts=f"{now - 20}.000001")
    )
    assert Request.objects.count() == 1
    assert Request.objects.get().messages.count() == 2
    assert len(posted_alerts(fake_slack)) == 1


def test_thanks_is_not_a_request(workspace, fake_slack, post_to_slack) -> None:
    post_to_slack(message_event("thanks, that fixed it!"))
    assert Request.objects.count() == 0
    assert posted_alerts(fake_slack) == []


def test_bot_and_webhook_messages_are_ignored(workspace, fake_slack, post_to_slack) -> None:
    post_to_slack(load_payload("bot_message.json"))
    assert Request.objects.count() == 0
    assert posted_alerts(fake_slack) == []


def test_request_reaction_forces_a_request(workspace, fake_slack, post_to_slack) -> None:
    post_to_slack(message_event("ok", ts="1741010712.000100", event_id="Ev0OKMSG"))
    assert Request.objects.count() == 0
    post_to_slack(load_payload("reaction_added.json"))
    customer_request = Request.objects.get()
    assert customer_request.detection_stage == "reaction"
    assert "vera" in customer_request.detection_reason.lower()


def test_edit_reruns_detection(workspace, post_to_slack) -> None:
    post_to_slack(message_event("hi", ts="1741010712.000100", event_id="Ev0HIMSG"))
    assert Request.objects.count() == 0
    post_to_slack(load_payload("message_changed.json"))
    assert Request.objects.count() == 1
    assert "502" in Message.objects.get(ts="1741010712.000100").text


def test_deleting_the_root_message_cancels_the_request(workspace, post_to_slack) -> None:
    deleted = load_payload("message_deleted.json")
    ts, channel = deleted["event"]["deleted_ts"], deleted["event"]["channel"]
    post_to_slack(
        message_event(
            "The invoice PDF download returns a 404 for all our invoices",
            user="U0CUST2",
            team="T0INITECH",
            channel=channel,
            ts=ts,
        )
    )
    assert Request.objects.get().status == "open"
    post_to_slack(deleted)
    customer_request = Request.objects.get()
    assert customer_request.status == "cancelled"
    assert Message.objects.get(ts=ts).text == ""
    assert not customer_request.sla_clocks.filter(state__in=["running", "paused"]).exists()


def test_slack_connect_workspace_comes_from_authorizations(workspace, post_to_slack) -> None:
    payload = load_payload("message_channel.json")
    assert payload["team_id"] == "T0GLOBEX"  # the actor's team, not ours
    post_to_slack(payload)
    assert Request.objects.get().workspace == workspace
    assert SlackUser.objects.get(user_id="U0CUST1").is_external is True


def test_unknown_team_is_acked_and_ignored(db, fake_slack, post_to_slack) -> None:
    response = post_to_slack(load_payload("message_channel.json"))
    assert response.status_code == 200
    assert Request.objects.count() == 0


def test_new_shared_channel_is_monitored_internal_one_is_not(workspace, post_to_slack) -> None:
    post_to_slack(load_payload("message_channel.json"))
    post_to_slack(
        message_event(
            "can someone look at the deploy?", user="U0VEND1", team="T0001", channel="C0TRIAGE"
        )
    )
    shared = Channel.objects.get(channel_id="C0CUST1")
    internal = Channel.objects.get(channel_id="C0TRIAGE")
    assert (shared.segment, shared.is_monitored, shared.is_ext_shared) == ("customer", True, True)
    assert (internal.segment, internal.is_monitored) == ("internal", False)


def test_member_joined_and_rename_keep_the_channel_current(workspace, post_to_slack) -> None:
    joined = load_payload("member_joined_channel.json")
    post_to_slack(joined)
    channel = Channel.objects.get(channel_id="G0PRIV1")
    assert channel.is_private is True
    assert channel.is_member is True
    rename = {
        **joined,
        "event_id": "Ev0RENAME1",
        "event": {"type": "group_rename", "channel": {"id": "G0PRIV1", "name": "vip"}},
    }
    post_to_slack(rename)
    channel.refresh_from_db()
    assert channel.name == "vip"


def test_channel_shared_marks_the_channel_shared(workspace, fake_slack, post_to_slack) -> None:
    fake_slack.channels["C0CUST2"]["connected_team_ids"] = ["T0INITECH"]
    post_to_slack(load_payload("channel_shared.json"))
    channel = Channel.objects.get(channel_id="C0CUST2")
    assert channel.is_ext_shared is True
    assert channel.connected_team_ids == ["T0INITECH"]


def test_internal_segment_and_unmonitored_channels_are_ignored(workspace, post_to_slack) -> None:
    ChannelFactory(
        workspace=workspace,
        channel_id="C0CUST1",
        segment="internal",
        info_fetched_at="2999-01-01T00:00:00Z",
    )
    ChannelFactory(
        workspace=workspace,
        channel_id="C0CUST2",
        is_monitored=False,
        info_fetched_at="2999-01-01T00:00:00Z",
    )
    post_to_slack(load_payload("message_channel.json"))
    post_to_slack(
        message_event("The API returns 500 for every call, please help", channel="C0CUST2")
    )
    assert Request.objects.count() == 0


@pytest.mark.parametrize(
    ("response_scope", "answered"), [("thread_or_channel", True), ("thread", False)]
)
def test_top_level_vendor_message_answers_per_policy(
    workspace, post_to_slack, response_scope, answered
) -> None:
    from sla.tests.factories import SLAPolicyFactory

    SLAPolicyFactory(workspace=workspace, response_scope=response_scope)
    now = int(time.time())
    post_to_slack(
        message_event("Our dashboard has not loaded since this morning", ts=f"{now - 50}.000001")
    )
    post_to_slack(
        message_event("Looking into it now", user="U0VEND1", team="T0001", ts=f"{now - 20}.000001")
    )
    customer_request = Request.objects.get()
    assert (customer_request.first_response_at is not None) is answered
    clock = customer_request.sla_clocks.get(kind="first_response")
    assert (clock.state == "met") is answered
