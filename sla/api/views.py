"""SLA policies and calendars (plain configuration), and clocks (read-only)."""

from rest_framework import viewsets

from sla.api.filters import BusinessHoursCalendarFilter, SLAClockFilter, SLAPolicyFilter
from sla.api.serializers import (
    BusinessHoursCalendarSerializer,
    SLAClockSerializer,
    SLAPolicySerializer,
)
from sla.models import BusinessHoursCalendar, SLAClock, SLAPolicy
from thena.api import CanConfigureWorkspace, IsWorkspaceMember, WorkspaceScopedViewMixin
from thena.errors import ConflictError


class SLAPolicyViewSet(WorkspaceScopedViewMixin, viewsets.ModelViewSet):
    """SLA policies: first-response (30..2880 minutes) and resolution targets per scope.

    Editing a policy never changes running clocks: each keeps the snapshot it started from.
    """

    serializer_class = SLAPolicySerializer
    permission_classes = [CanConfigureWorkspace]
    queryset = SLAPolicy.objects.order_by("workspace_id", "scope", "name", "pk")
    filterset_class = SLAPolicyFilter


class BusinessHoursCalendarViewSet(WorkspaceScopedViewMixin, viewsets.ModelViewSet):
    """Business-hours calendars. A calendar a policy uses cannot be deleted."""

    serializer_class = BusinessHoursCalendarSerializer
    permission_classes = [CanConfigureWorkspace]
    queryset = BusinessHoursCalendar.objects.order_by("workspace_id", "name", "pk")
    filterset_class = BusinessHoursCalendarFilter

    def perform_destroy(self, instance: BusinessHoursCalendar) -> None:
        if instance.policies.exists():
            raise ConflictError(
                f'Calendar "{instance.name}" is used by SLA policies; change them first.',
                code="calendar_in_use",
            )
        instance.delete()


class SLAClockViewSet(WorkspaceScopedViewMixin, viewsets.ReadOnlyModelViewSet):
    """SLA clocks: one per request and target, with the policy snapshot it ran on."""

    serializer_class = SLAClockSerializer
    permission_classes = [IsWorkspaceMember]
    queryset = SLAClock.objects.select_related("request").order_by("due_at", "pk")
    filterset_class = SLAClockFilter
    workspace_lookup = "request__workspace"
