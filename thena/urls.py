"""Root URLs. The contract (DESIGN.md): /slack/*, /api/v1/, /api/schema/, /api/docs/,
/admin/ and /healthz."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from slack_integration.views import slack_events, slack_oauth
from thena.health import healthz

admin.site.site_header = "Thena administration"
admin.site.site_title = "Thena"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("slack/events", slack_events, name="slack-events"),
    path("slack/install", slack_oauth, name="slack-install"),
    path("slack/oauth_redirect", slack_oauth, name="slack-oauth-redirect"),
    path("api/v1/", include("thena.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
