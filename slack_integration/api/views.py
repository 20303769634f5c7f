"""Workspaces (settings), channels and Slack users: plain configuration (STYLE.md §2)."""

from django.db.models import QuerySet
from rest_framework import mixins, viewsets

from slack_integration.api.access import list_visible_workspaces
from slack_integration.api.filters import ChannelFilter, SlackUserFilter
from slack_integration.api.serializers import (
    ChannelSerializer,
    SlackUserSerializer,
    WorkspaceSerializer,
)
from slack_integration.models import Channel, SlackUser, Workspace
from thena.api import CanConfigureWorkspace, WorkspaceScopedViewMixin
from thena.errors import ConflictError


class WorkspaceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The workspaces you are a member of. Admins change their settings.

    Workspaces are created by installing the Slack app, never through the API.
    """

    serializer_class = WorkspaceSerializer
    permission_classes = [CanConfigureWorkspace]
    queryset = Workspace.objects.all()

    def get_queryset(self) -> QuerySet[Workspace]:
        return list_visible_workspaces(user=self.request.user).order_by("name", "team_id", "pk")


class ChannelViewSet(WorkspaceScopedViewMixin, viewsets.ModelViewSet):
    """Channels, their segment and monitoring. Admins change them.

    A channel with messages cannot be deleted (its requests are history): turn
    `is_monitored` off instead.
    """

    serializer_class = ChannelSerializer
    permission_classes = [CanConfigureWorkspace]
    queryset = Channel.objects.order_by("workspace_id", "name", "channel_id", "pk")
    filterset_class = ChannelFilter

    def perform_destroy(self, instance: Channel) -> None:
        if instance.messages.exists() or instance.requests.exists():
            raise ConflictError(
                f"Channel {instance.channel_id} has messages; turn monitoring off instead.",
                code="channel_has_history",
            )
        instance.delete()


class SlackUserViewSet(
    WorkspaceScopedViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Slack users seen in a workspace. Admins may set `side_override` (internal/external)."""

    serializer_class = SlackUserSerializer
    permission_classes = [CanConfigureWorkspace]
    queryset = SlackUser.objects.order_by("workspace_id", "real_name", "name", "user_id", "pk")
    filterset_class = SlackUserFilter
    http_method_names = ["get", "patch", "head", "options"]
