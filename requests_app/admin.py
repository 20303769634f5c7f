"""Admin for requests (with their read-only timeline) and messages."""

from django.contrib import admin

from requests_app.models import DiscardedMessage, Message, Request, RequestEvent


class RequestEventInline(admin.TabularInline):
    """The request's timeline: append-only, so every field is read-only."""

    model = RequestEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "source", "actor", "actor_user", "from_status", "to_status", "detail"]
    readonly_fields = fields
    ordering = ["at", "id"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Request)
class RequestAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "customer",
        "channel",
        "status",
        "assignee",
        "detected_at",
        "first_response_at",
        "closed_at",
        "detection_stage",
    ]
    list_filter = ["status", "channel__segment", "detection_stage", "workspace", "channel"]
    search_fields = [
        "root_message__text",
        "customer__real_name",
        "customer__display_name",
        "assignee__real_name",
        "channel__name",
    ]
    list_select_related = ["customer", "channel", "assignee", "workspace"]
    raw_id_fields = ["root_message", "customer", "assignee", "first_responder", "closed_by"]
    readonly_fields = [
        "detected_at",
        "detection_stage",
        "detection_score",
        "detection_reason",
        "first_response_at",
        "first_responder",
        "closed_at",
        "closed_by",
        "created_at",
        "updated_at",
    ]
    date_hierarchy = "detected_at"
    inlines = [RequestEventInline]
    show_full_result_count = False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "author",
        "is_from_customer",
        "is_auto_reply",
        "posted_at",
        "request",
    ]
    list_filter = ["is_from_customer", "is_auto_reply", "workspace"]
    search_fields = ["ts", "thread_ts", "channel__name", "author__real_name"]
    list_select_related = ["channel", "author", "request"]
    raw_id_fields = ["channel", "author", "request"]
    date_hierarchy = "posted_at"
    show_full_result_count = False


@admin.register(RequestEvent)
class RequestEventAdmin(admin.ModelAdmin):
    list_display = ["request", "kind", "at", "source", "actor", "actor_user"]
    list_filter = ["kind", "source"]
    search_fields = ["request__id", "actor__real_name"]
    list_select_related = ["request", "actor", "actor_user"]
    readonly_fields = [
        "request",
        "kind",
        "at",
        "source",
        "actor",
        "actor_user",
        "from_status",
        "to_status",
        "detail",
    ]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(DiscardedMessage)
class DiscardedMessageAdmin(admin.ModelAdmin):
    list_display = ["request", "workspace", "is_active", "created_at"]
    list_filter = ["is_active", "workspace"]
    search_fields = ["request__id"]
    list_select_related = ["request", "workspace"]
    readonly_fields = ["workspace", "request", "text", "fingerprint", "created_at"]
