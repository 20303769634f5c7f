"""Ticket providers (credentials write-only) and tickets in the API."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from slack_integration.api.serializers import SlackUserRefSerializer
from thena.api import WorkspaceScopedSerializer
from tickets.models import Ticket, TicketProvider


class TicketProviderSerializer(WorkspaceScopedSerializer):
    """A ticketing platform. ``credentials`` can be written but is never returned.

    Leave ``credentials`` out of an update to keep the stored one; send "" to remove it.
    """

    credentials = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=4000,
        trim_whitespace=True,
        style={"input_type": "password"},
        help_text="API token or key. Stored encrypted; never returned.",
    )
    has_credentials = serializers.SerializerMethodField()
    settings = serializers.DictField(required=False, help_text="Provider-specific options.")

    class Meta:
        model = TicketProvider
        fields = [
            "id",
            "workspace",
            "name",
            "kind",
            "base_url",
            "project_key",
            "key_prefix",
            "settings",
            "credentials",
            "has_credentials",
            "is_default",
            "is_enabled",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def get_has_credentials(self, provider: TicketProvider) -> bool:
        return bool(provider.credentials)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        is_default = attrs.get("is_default", self.instance.is_default if self.instance else False)
        if is_default:
            others = TicketProvider.objects.filter(
                workspace_id=self.target_workspace_id(attrs), is_default=True
            )
            if self.instance is not None:
                others = others.exclude(pk=self.instance.pk)
            if others.exists():
                raise serializers.ValidationError(
                    {"is_default": "The workspace has a default provider already; unset it first."}
                )
        return attrs


class TicketProviderRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = TicketProvider
        fields = ["id", "name", "kind"]
        read_only_fields = fields


class TicketSerializer(serializers.ModelSerializer):
    """A ticket created for a request."""

    provider = TicketProviderRefSerializer(read_only=True)
    created_by = SlackUserRefSerializer(read_only=True, allow_null=True)
    workspace = serializers.SerializerMethodField()
    url = serializers.CharField(read_only=True, help_text="Link to the ticket; may be empty.")

    class Meta:
        model = Ticket
        fields = [
            "id",
            "workspace",
            "request",
            "provider",
            "number",
            "external_key",
            "url",
            "title",
            "description",
            "priority",
            "status",
            "created_by",
            "closed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField())
    def get_workspace(self, ticket: Ticket) -> int:
        return ticket.provider.workspace_id
