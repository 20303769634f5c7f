"""/api/v1/requests/ (with its actions), /api/v1/me/summary and /api/v1/reports/sla."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from requests_app.api.reports import SLAReportView
from requests_app.api.views import MySummaryView, RequestViewSet

router = SimpleRouter()
router.register("requests", RequestViewSet, basename="request")

urlpatterns = [
    path("me/summary", MySummaryView.as_view(), name="me-summary"),
    path("reports/sla", SLAReportView.as_view(), name="sla-report"),
    *router.urls,
]
