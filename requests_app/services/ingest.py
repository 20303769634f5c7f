"""Ingesting Slack messages: store them, group them, detect requests, track responses.

The Slack edge resolves the workspace, channel and author (with their side) and calls one
function here per message event. Every function is idempotent: Slack's ``(channel, ts)``
key makes a re-delivered message a no-op.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from requests_app.detection import Decision
from requests_app.models import (
    ACTIVE_REQUEST_STATUSES,
    DetectionStage,
    EventSource,
    Message,
    Request,
    RequestEvent,
    RequestEventKind,
    RequestStatus,
)
from requests_app.services.actions import Actor, reopen_request
from requests_app.services.detection import decide_message
from requests_app.services.lifecycle import (
    cancel_request,
    create_request,
    record_customer_followup,
    record_vendor_response,
)
from sla.selectors import reopens_on_customer_reply
from slack_integration.models import Channel, Segment, SlackUser

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IncomingMessage:
    """A message as the edge parsed it. ``posted_at`` comes from the message ts."""

    channel: Channel
    author: SlackUser | None
    ts: str
    thread_ts: str
    text: str
    posted_at: datetime
    subtype: str = ""
    bot_id: str = ""
    is_auto_reply: bool = False


@dataclass(frozen=True)
class IngestResult:
    """What happened to a message: ``outcome`` is a short stable word for logs and tests."""

    outcome: str  # duplicate | ignored | stored | joined | request_created | not_a_request
    message: Message | None = None
    customer_request: Request | None = None


def is_channel_watched(channel: Channel) -> bool:
    return channel.is_monitored and channel.segment != Segment.INTERNAL and not channel.is_archived


def _store(incoming: IncomingMessage, *, is_from_customer: bool) -> Message | None:
    """Creates the Message row; None when Slack re-delivered one we already have."""
    try:
        with transaction.atomic():
            return Message.objects.create(
                workspace_id=incoming.channel.workspace_id,
                channel=incoming.channel,
                ts=incoming.ts,
                thread_ts=incoming.thread_ts if incoming.thread_ts != incoming.ts else "",
                author=incoming.author,
                bot_id=incoming.bot_id,
                subtype=incoming.subtype,
                text=incoming.text,
                posted_at=incoming.posted_at,
                is_from_customer=is_from_customer,
                is_auto_reply=incoming.is_auto_reply,
            )
    except IntegrityError:
        return None


def _thread_request(channel: Channel, thread_ts: str) -> Request | None:
    """The request a thread belongs to: its root message's, or any earlier reply's."""
    return Request.objects.filter(channel=channel, messages__ts=thread_ts).first() or (
        Request.objects.filter(channel=channel, messages__thread_ts=thread_ts).first()
    )


def _grouping_target(message: Message) -> Request | None:
    """The active request this top-level message continues, if any.

    It continues one when the channel's previous top-level message came from the same
    customer within the workspace's grouping window and belongs to an active request.
    """
    window = timedelta(seconds=message.channel.workspace.grouping_window_seconds)
    previous = (
        Message.objects.filter(
            channel=message.channel,
            thread_ts="",
            posted_at__lt=message.posted_at,
            deleted_at__isnull=True,
            bot_id="",
        )
        .exclude(pk=message.pk)
        .order_by("-posted_at")
        .select_related("request")
        .first()
    )
    if previous is None or previous.author_id != message.author_id:
        return None
    if message.posted_at - previous.posted_at > window:
        return None
    if previous.request is None or previous.request.status not in ACTIVE_REQUEST_STATUSES:
        return None
    return previous.request


def _join(message: Message, customer_request: Request, *, how: str) -> None:
    Message.objects.filter(pk=message.pk).update(request=customer_request)
    message.request = customer_request
    RequestEvent.objects.create(
        request=customer_request,
        kind=RequestEventKind.MESSAGE_ADDED,
        at=message.posted_at,
        source=EventSource.SLACK,
        actor=message.author,
        detail={"message_ts": message.ts, "how": how},
    )


def _decide(incoming: IncomingMessage) -> Decision:
    channel = incoming.channel
    return decide_message(
        text=incoming.text,
        workspace_id=channel.workspace_id,
        strictness=channel.effective_strictness,
    )


def ingest_customer_message(incoming: IncomingMessage) -> IngestResult:
    """A customer wrote: join its thread's or group's request, or detect a new one."""
    if not is_channel_watched(incoming.channel):
        return IngestResult("ignored")
    channel = incoming.channel
    thread_ts = incoming.thread_ts if incoming.thread_ts != incoming.ts else ""
    # Detection runs before the transaction: it may call an LLM, and no lock should wait.
    # A reply in a thread that already has a request joins it and needs no detection.
    decision = None
    if not (thread_ts and _thread_request(channel, thread_ts)):
        decision = _decide(incoming)
    with transaction.atomic():
        message = _store(incoming, is_from_customer=True)
        if message is None:
            return IngestResult("duplicate")
        if message.thread_ts:
            existing = _thread_request(channel, message.thread_ts)
            if existing is not None:
                return _customer_reply_in_thread(message, existing)
        else:
            grouped = _grouping_target(message)
            if grouped is not None:
                _join(message, grouped, how="grouped")
                record_customer_followup(customer_request=grouped, message=message)
                return IngestResult("joined", message, grouped)
        if decision is None:  # the thread's request went away since the check above
            decision = _decide(incoming)
        if not decision.is_request:
            logger.info(
                "ingest.not_a_request",
                extra={"message_id": message.pk, "stage": decision.stage, "score": decision.score},
            )
            return IngestResult("not_a_request", message)
        customer_request = create_request(
            root_message=message, stage=decision.stage, score=decision.score, reason=decision.reason
        )
        return IngestResult("request_created", message, customer_request)


def _customer_reply_in_thread(message: Message, customer_request: Request) -> IngestResult:
    if customer_request.status in ACTIVE_REQUEST_STATUSES:
        _join(message, customer_request, how="thread_reply")
        record_customer_followup(customer_request=customer_request, message=message)
        return IngestResult("joined", message, customer_request)
    Message.objects.filter(pk=message.pk).update(request=customer_request)
    if customer_request.status == RequestStatus.CLOSED and reopens_on_customer_reply(
        channel=customer_request.channel
    ):
        reopen_request(
            customer_request=customer_request,
            actor=Actor(source=EventSource.SYSTEM),
            reason="customer replied",
        )
        _join(message, customer_request, how="thread_reply")
        return IngestResult("reopened", message, customer_request)
    # A reply under a discarded or cancelled request stays with it and is not re-detected.
    return IngestResult("stored", message, customer_request)


def ingest_vendor_message(incoming: IncomingMessage) -> IngestResult:
    """A vendor team member (or an auto-reply) wrote: record it as a possible response."""
    if not is_channel_watched(incoming.channel):
        return IngestResult("ignored")
    with transaction.atomic():
        message = _store(incoming, is_from_customer=False)
        if message is None:
            return IngestResult("duplicate")
        if message.is_auto_reply:
            return IngestResult("stored", message)
        answered = record_vendor_response(message=message)
        if message.thread_ts and answered:
            Message.objects.filter(pk=message.pk).update(request=answered[0])
        return IngestResult("stored", message, answered[0] if answered else None)


def update_message_text(
    *, channel: Channel, ts: str, text: str, edited_at: datetime
) -> IngestResult:
    """An edit: store the new text; re-run detection if the message is not a request yet."""
    message = Message.objects.filter(channel=channel, ts=ts).select_related("author").first()
    if message is None:
        return IngestResult("ignored")
    Message.objects.filter(pk=message.pk).update(text=text, edited_at=edited_at)
    message.text = text
    eligible = (
        message.is_from_customer
        and message.request_id is None
        and not message.thread_ts
        and is_channel_watched(channel)
    )
    if not eligible:
        return IngestResult("stored", message)
    decision = decide_message(
        text=text, workspace_id=channel.workspace_id, strictness=channel.effective_strictness
    )
    if not decision.is_request:
        return IngestResult("not_a_request", message)
    with transaction.atomic():
        customer_request = create_request(
            root_message=message, stage=decision.stage, score=decision.score, reason=decision.reason
        )
    return IngestResult("request_created", message, customer_request)


def delete_message(*, channel: Channel, ts: str) -> IngestResult:
    """A deletion: forget the text; an active request opened by it is cancelled."""
    message = Message.objects.filter(channel=channel, ts=ts).first()
    if message is None:
        return IngestResult("ignored")
    with transaction.atomic():
        Message.objects.filter(pk=message.pk).update(text="", deleted_at=timezone.now())
        opened = Request.objects.filter(root_message=message).first()
        if opened is not None and opened.status in ACTIVE_REQUEST_STATUSES:
            cancel_request(customer_request=opened)
            return IngestResult("request_cancelled", message, opened)
    return IngestResult("stored", message)


def force_request(
    *, channel: Channel, ts: str, reactor: SlackUser | None, reaction: str
) -> IngestResult:
    """The request reaction on a customer message makes it a request, whatever detection said."""
    message = Message.objects.filter(channel=channel, ts=ts).select_related("author").first()
    if message is None or not message.is_from_customer:
        return IngestResult("ignored")
    if message.request_id is not None:
        return IngestResult("duplicate", message)
    who = reactor.label if reactor else "someone"
    with transaction.atomic():
        try:
            customer_request = create_request(
                root_message=message,
                stage=DetectionStage.REACTION,
                score=1.0,
                reason=f"forced by :{reaction}: reaction from {who}",
                actor=reactor,
            )
        except IntegrityError:
            return IngestResult("duplicate", message)
    return IngestResult("request_created", message, customer_request)


__all__ = [
    "IncomingMessage",
    "IngestResult",
    "RequestStatus",
    "delete_message",
    "force_request",
    "ingest_customer_message",
    "ingest_vendor_message",
    "is_channel_watched",
    "update_message_text",
]
