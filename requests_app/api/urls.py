"""/api/v1/requests/ (with its actions) and /api/v1/me/summary."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from requests_app.api.views import MySummaryView, RequestViewSet

router = SimpleRouter()
router.register("requests", RequestViewSet, basename="request")

urlpatterns = [
    path("me/summary", MySummaryView.as_view(), name="me-summary"),
    *router.urls,
]
