"""Admin for SLA policies, calendars and clocks (clocks and their logs are read-only)."""

from django.contrib import admin
from django.utils import timezone

from sla.models import BusinessHoursCalendar, SLAClock, SLAClockEvent, SLAPolicy
from sla.services import recompute_policy_clocks


@admin.register(BusinessHoursCalendar)
class BusinessHoursCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace", "timezone", "country", "is_config_managed"]
    list_filter = ["timezone", "country", "is_config_managed", "workspace"]
    search_fields = ["name"]
    list_select_related = ["workspace"]


@admin.register(SLAPolicy)
class SLAPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "workspace",
        "scope",
        "segment",
        "channel",
        "first_response_minutes",
        "resolution_minutes",
        "calendar",
        "warning_percent",
        "is_enabled",
        "is_config_managed",
    ]
    list_filter = ["scope", "segment", "is_enabled", "is_config_managed", "workspace"]
    search_fields = ["name", "channel__name"]
    list_select_related = ["workspace", "channel", "calendar"]
    raw_id_fields = ["channel"]
    actions = ["apply_to_running_clocks"]

    @admin.action(description="Apply to running clocks (recompute their deadlines)")
    def apply_to_running_clocks(self, request, queryset) -> None:
        now = timezone.now()
        changed = sum(recompute_policy_clocks(policy=policy, now=now) for policy in queryset)
        self.message_user(request, f"Recomputed {changed} running clock(s).")


class SLAClockEventInline(admin.TabularInline):
    model = SLAClockEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "detail"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SLAClock)
class SLAClockAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "kind",
        "state",
        "started_at",
        "due_at",
        "warned_at",
        "breached_at",
        "policy",
    ]
    list_filter = ["kind", "state"]
    search_fields = ["request__id"]
    list_select_related = ["request", "policy"]
    date_hierarchy = "due_at"
    show_full_result_count = False
    inlines = [SLAClockEventInline]
    readonly_fields = [field.name for field in SLAClock._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(SLAClockEvent)
class SLAClockEventAdmin(admin.ModelAdmin):
    list_display = ["clock", "kind", "at"]
    list_filter = ["kind"]
    search_fields = ["clock__request__id"]
    list_select_related = ["clock"]
    readonly_fields = ["clock", "kind", "at", "detail"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False
