"""/api/v1/: every app's API routes (each app's ``api/urls.py``)."""

from django.urls import include, path

urlpatterns = [
    path("", include("slack_integration.api.urls")),
    path("", include("requests_app.api.urls")),
    path("", include("sla.api.urls")),
    path("", include("alerts.api.urls")),
    path("", include("tickets.api.urls")),
]
