"""Reads for SLAs: which policy applies to a channel."""

from django.db.models import Q

from sla.models import ClockKind, ResponseScope, SLAClock, SLAPolicy
from slack_integration.models import Channel

_SPECIFICITY = {"channel": 0, "segment": 1, "global": 2}


def get_applicable_policy(*, channel: Channel) -> SLAPolicy | None:
    """The most specific enabled policy for ``channel``: channel, then segment, then global."""
    candidates = (
        SLAPolicy.objects.filter(workspace_id=channel.workspace_id, is_enabled=True)
        .filter(
            Q(scope="channel", channel=channel)
            | Q(scope="segment", segment=channel.segment)
            | Q(scope="global")
        )
        .select_related("calendar")
    )
    return min(candidates, key=lambda policy: _SPECIFICITY[policy.scope], default=None)


def reopens_on_customer_reply(*, channel: Channel) -> bool:
    """Whether a customer message under a closed request reopens it (policy option)."""
    policy = get_applicable_policy(channel=channel)
    return True if policy is None else policy.reopen_on_customer_reply


def list_requests_answered_by_channel_replies(*, request_ids: list[int]) -> set[int]:
    """Of these requests, those whose policy lets a later top-level vendor message count as a
    response (``thread_or_channel``, also the rule for a request without clocks).

    One query for all of them: a vendor message in a busy channel checks every open request.
    """
    scopes: dict[int, str] = {}
    clocks = SLAClock.objects.filter(request_id__in=request_ids, kind=ClockKind.FIRST_RESPONSE)
    for request_id, snapshot in clocks.order_by("pk").values_list("request_id", "policy_snapshot"):
        scopes[request_id] = snapshot.get("response_scope", ResponseScope.THREAD_OR_CHANNEL)
    return {
        request_id
        for request_id in request_ids
        if scopes.get(request_id, ResponseScope.THREAD_OR_CHANNEL)
        == ResponseScope.THREAD_OR_CHANNEL
    }
