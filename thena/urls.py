"""Root URLs. The contract (DESIGN.md): /slack/*, /api/v1/, /api/schema/, /api/docs/,
/admin/ and /healthz."""

from django.contrib import admin
from django.urls import path

from thena.health import healthz

admin.site.site_header = "Thena administration"
admin.site.site_title = "Thena"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
