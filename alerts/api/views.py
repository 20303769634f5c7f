"""Alert rules (plain configuration) and alerts (read, plus the retry action)."""

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request as HttpRequest
from rest_framework.response import Response

from alerts.api.filters import AlertFilter, AlertRuleFilter
from alerts.api.serializers import AlertRuleSerializer, AlertSerializer
from alerts.models import Alert, AlertRule
from alerts.services import retry_alert
from thena.api import (
    CanActOnRequests,
    CanConfigureWorkspace,
    NewestFirstCursorPagination,
    WorkspaceScopedViewMixin,
)


class AlertRuleViewSet(WorkspaceScopedViewMixin, viewsets.ModelViewSet):
    """Alert rules: which event, from which channels, to which destination channel."""

    serializer_class = AlertRuleSerializer
    permission_classes = [CanConfigureWorkspace]
    queryset = AlertRule.objects.order_by("workspace_id", "event", "destination", "pk")
    filterset_class = AlertRuleFilter


class AlertViewSet(WorkspaceScopedViewMixin, viewsets.ReadOnlyModelViewSet):
    """Alerts posted (or to be posted) and their delivery state, newest first."""

    serializer_class = AlertSerializer
    permission_classes = [CanActOnRequests]
    queryset = Alert.objects.all()
    filterset_class = AlertFilter
    pagination_class = NewestFirstCursorPagination

    def get_queryset(self) -> QuerySet[Alert]:
        rules = Prefetch("rules", queryset=AlertRule.objects.only("pk").order_by("pk"))
        return super().get_queryset().prefetch_related(rules)

    @extend_schema(request=None, responses={200: AlertSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request: HttpRequest, pk: str | None = None) -> Response:
        """Queues a failed (or abandoned) alert for delivery again; 409 if it is not failed."""
        alert = retry_alert(alert=self.get_object())
        return Response(AlertSerializer(self.get_queryset().get(pk=alert.pk)).data)
