"""Reads for SLAs: which policy applies to a channel."""

from django.db.models import Q

from sla.models import SLAPolicy
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
