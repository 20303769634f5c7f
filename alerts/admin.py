"""Admin for alert rules and delivered alerts."""

from django.contrib import admin

from alerts.models import Alert, AlertRule


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "workspace",
        "event",
        "scope",
        "segment",
        "channel",
        "destination",
        "is_enabled",
        "is_config_managed",
    ]
    list_filter = ["event", "scope", "is_enabled", "is_config_managed", "workspace"]
    search_fields = ["name", "destination", "channel__name"]
    list_select_related = ["workspace", "channel"]
    raw_id_fields = ["channel"]
    readonly_fields = ["config_key"]


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "event",
        "destination",
        "status",
        "attempts",
        "sent_at",
        "created_at",
    ]
    list_filter = ["event", "status"]
    search_fields = ["request__id", "destination", "slack_ts"]
    list_select_related = ["request"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    readonly_fields = [field.name for field in Alert._meta.fields] + ["rules"]

    def has_add_permission(self, request) -> bool:
        return False
