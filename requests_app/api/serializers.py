"""Requests (list, detail with timeline and clocks), their actions, and `/my summary`."""

from typing import Any

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from alerts.selectors import excerpt_of
from requests_app.api.filters import SLA_STATE_CHOICES
from requests_app.models import Request, RequestEvent
from sla.api.serializers import SLAClockSerializer
from sla.models import ClockKind, ClockState
from slack_integration.api.serializers import ChannelRefSerializer, SlackUserRefSerializer
from slack_integration.models import SlackUser
from thena.api import MAX_ID
from thena.errors import NotFoundError
from tickets.api.serializers import TicketSerializer
from tickets.models import TicketPriority, TicketProvider
from tickets.selectors import get_provider_for_workspace
from tickets.services import TITLE_MAX_CHARS


@extend_schema_serializer(component_name="CustomerRequest")
class RequestSerializer(serializers.ModelSerializer):
    """A request in the list: who, where, state, and a short excerpt of the message."""

    channel = ChannelRefSerializer(read_only=True)
    customer = SlackUserRefSerializer(read_only=True)
    assignee = SlackUserRefSerializer(read_only=True, allow_null=True)
    sla_state = serializers.ChoiceField(choices=SLA_STATE_CHOICES, read_only=True)
    asked_at = serializers.DateTimeField(source="root_message.posted_at", read_only=True)
    excerpt = serializers.SerializerMethodField(
        help_text="A short excerpt; null for private channels (open the permalink)."
    )
    permalink = serializers.SerializerMethodField()

    class Meta:
        model = Request
        fields = [
            "id",
            "workspace",
            "channel",
            "customer",
            "assignee",
            "status",
            "sla_state",
            "asked_at",
            "detected_at",
            "first_response_at",
            "closed_at",
            "detection_stage",
            "detection_score",
            "excerpt",
            "permalink",
            "updated_at",
        ]
        read_only_fields = fields

    def get_excerpt(self, customer_request: Request) -> str | None:
        """None for a private channel: like alerts, the API shows metadata and a link only."""
        if customer_request.channel.is_private:
            return None
        return excerpt_of(customer_request.root_message.text)

    def get_permalink(self, customer_request: Request) -> str:
        return customer_request.root_message.permalink


class RequestEventSerializer(serializers.ModelSerializer):
    """One entry of the timeline; ``actor_username`` is set for API and admin actions."""

    actor = SlackUserRefSerializer(read_only=True, allow_null=True)
    actor_username = serializers.SerializerMethodField()
    detail = serializers.DictField(read_only=True)

    class Meta:
        model = RequestEvent
        fields = [
            "id",
            "kind",
            "at",
            "source",
            "actor",
            "actor_username",
            "from_status",
            "to_status",
            "detail",
        ]
        read_only_fields = fields

    def get_actor_username(self, event: RequestEvent) -> str | None:
        return event.actor_user.get_username() if event.actor_user else None


@extend_schema_serializer(component_name="CustomerRequestDetail")
class RequestDetailSerializer(RequestSerializer):
    """A request with its full message, timeline, SLA clocks and tickets."""

    text = serializers.SerializerMethodField(
        help_text="The customer's message; null for private channels (open the permalink)."
    )
    first_responder = SlackUserRefSerializer(read_only=True, allow_null=True)
    closed_by = SlackUserRefSerializer(read_only=True, allow_null=True)
    timeline = RequestEventSerializer(source="events", many=True, read_only=True)
    sla_clocks = SLAClockSerializer(many=True, read_only=True)
    tickets = TicketSerializer(many=True, read_only=True)

    class Meta(RequestSerializer.Meta):
        fields = [
            *RequestSerializer.Meta.fields,
            "text",
            "detection_reason",
            "first_responder",
            "closed_by",
            "timeline",
            "sla_clocks",
            "tickets",
        ]
        read_only_fields = fields

    def get_text(self, customer_request: Request) -> str | None:
        if customer_request.channel.is_private:
            return None
        return customer_request.root_message.text


class _RequestActionSerializer(serializers.Serializer):
    """Input of an action on ``context["customer_request"]``."""

    def _internal_user(self, user_id: str) -> SlackUser:
        customer_request = self.context["customer_request"]
        slack_user = SlackUser.objects.filter(
            workspace_id=customer_request.workspace_id, user_id=user_id
        ).first()
        if slack_user is None:
            raise serializers.ValidationError(f"No Slack user {user_id} in this workspace.")
        if not slack_user.is_internal:
            raise serializers.ValidationError(
                f"{slack_user.label} is not a member of the support team."
            )
        return slack_user


class AssignSerializer(_RequestActionSerializer):
    assignee = serializers.CharField(
        max_length=32, help_text="Slack user ID (U…) of a support team member."
    )

    def validate_assignee(self, value: str) -> SlackUser:
        return self._internal_user(value)


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=500, help_text="Why (kept in the timeline)."
    )


class CreateTicketSerializer(_RequestActionSerializer):
    title = serializers.CharField(max_length=TITLE_MAX_CHARS)
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=20000, default=""
    )
    priority = serializers.ChoiceField(
        choices=TicketPriority.choices, default=TicketPriority.MEDIUM
    )
    provider = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        help_text="Ticket provider id; the workspace's default provider when left out.",
    )
    assignee = serializers.CharField(
        required=False,
        max_length=32,
        help_text="Optionally assign the request to this Slack user (U…) as well.",
    )

    def validate_provider(self, value: int | None) -> TicketProvider | None:
        if value is None:
            return None
        workspace_id = self.context["customer_request"].workspace_id
        try:
            return get_provider_for_workspace(workspace=workspace_id, provider_id=value)
        except NotFoundError as error:
            raise serializers.ValidationError(error.message) from error

    def validate_assignee(self, value: str) -> SlackUser:
        return self._internal_user(value)


class SummarySLASerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ClockKind.choices)
    kind_label = serializers.CharField()
    state = serializers.ChoiceField(choices=ClockState.choices)
    due_at = serializers.DateTimeField()
    seconds_left = serializers.FloatField(
        allow_null=True, help_text="Negative when late; null while paused."
    )


class SummaryItemSerializer(serializers.Serializer):
    """One of your requests, as `/my summary` lists it (no message text)."""

    request_id = serializers.IntegerField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    customer = serializers.CharField()
    channel_id = serializers.CharField()
    channel_name = serializers.CharField()
    is_private = serializers.BooleanField()
    posted_at = serializers.DateTimeField()
    age_seconds = serializers.FloatField()
    sla = SummarySLASerializer(allow_null=True)
    ticket_key = serializers.CharField(allow_null=True)
    ticket_url = serializers.CharField(allow_null=True)
    permalink = serializers.CharField()


class MySummarySerializer(serializers.Serializer):
    """Your active requests, most urgent first, and the totals."""

    workspace = serializers.SerializerMethodField()
    items = SummaryItemSerializer(many=True)
    total = serializers.IntegerField()
    breached = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    page_count = serializers.IntegerField()
    has_next = serializers.BooleanField()

    @extend_schema_field(serializers.IntegerField())
    def get_workspace(self, summary: Any) -> int:
        return self.context["workspace_id"]


class MySummaryQuerySerializer(serializers.Serializer):
    workspace = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="Workspace id; needed only when your Slack identity is linked in several.",
    )
    page = serializers.IntegerField(required=False, min_value=1, default=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100, default=20)
