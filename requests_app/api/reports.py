"""GET /api/v1/reports/sla: the SLA report as JSON, or CSV with ``?format=csv``."""

import csv
import io
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request as HttpRequest
from rest_framework.response import Response
from rest_framework.views import APIView

from requests_app.api.report_serializers import (
    SLAReportGroupSerializer,
    SLAReportQuerySerializer,
    SLAReportSerializer,
)
from requests_app.reports import build_sla_report
from slack_integration.api.access import get_workspace_for_user

CSV_COLUMNS = list(SLAReportGroupSerializer().fields)
# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """``None`` as an empty cell; text that a spreadsheet would run as a formula quoted."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


class SLAReportCSVRenderer(BaseRenderer):
    """The report's groups as CSV: a header row, then one row per group."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: dict[str, Any] | None = None,
    ) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for group in (data or {}).get("groups", []):
            writer.writerow([csv_cell(group.get(column)) for column in CSV_COLUMNS])
        return buffer.getvalue().encode(self.charset)


class SLAReportView(APIView):
    """The SLA report of one workspace: per channel, segment, assignee or day.

    `requests` counts requests detected in the period (discarded and cancelled ones left
    out). Attainment is the share of first-response (resolution) clocks that ended met among
    those that ended met or breached. Response and close times are minutes from the
    customer's message to the first response or the close; the p90 interpolates linearly.
    `breaches` counts breached clocks. Days are in the workspace's time zone.
    """

    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer, SLAReportCSVRenderer]

    @extend_schema(
        operation_id="reports_sla_retrieve",
        parameters=[SLAReportQuerySerializer],
        responses={
            (200, "application/json"): SLAReportSerializer,
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="With `?format=csv`: a header row, one per group."
            ),
        },
    )
    def get(self, request: HttpRequest) -> Response:
        query = SLAReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        options = query.validated_data
        workspace = get_workspace_for_user(user=request.user, workspace_id=options["workspace"])
        report = build_sla_report(
            workspace=workspace,
            date_from=options["from"],
            date_to=options["to"],
            group_by=options["group_by"],
        )
        response = Response(SLAReportSerializer(report).data)
        if getattr(request.accepted_renderer, "format", None) == "csv":
            filename = f"sla-report-{options['from']}-{options['to']}-{options['group_by']}.csv"
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def finalize_response(
        self, request: HttpRequest, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        # Errors are JSON in the one error shape, even when CSV was asked for.
        if response.status_code >= 400 and isinstance(
            getattr(request, "accepted_renderer", None), SLAReportCSVRenderer
        ):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
