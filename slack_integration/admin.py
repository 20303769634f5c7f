"""Admin for workspaces, channels, Slack users and the inbound event log."""

from django.contrib import admin

from slack_integration.models import (
    Channel,
    InboundEvent,
    SlackOAuthState,
    SlackUser,
    Workspace,
    WorkspaceMembership,
)


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "team_id",
        "domain",
        "is_active",
        "detection_strictness",
        "installed_at",
    ]
    list_filter = ["is_active", "detection_strictness"]
    search_fields = ["name", "team_id", "domain"]
    # The bot token is encrypted at rest and never shown; reinstalling the app replaces it.
    exclude = ["bot_token"]
    readonly_fields = [
        "team_id",
        "app_id",
        "bot_user_id",
        "bot_id",
        "bot_scopes",
        "installed_at",
        "has_bot_token",
        "created_at",
        "updated_at",
    ]

    @admin.display(boolean=True, description="Bot token stored")
    def has_bot_token(self, workspace: Workspace) -> bool:
        return bool(workspace.bot_token)

    def get_readonly_fields(self, request, obj=None):
        # The team ID is editable only when an admin creates a workspace by hand.
        fields = list(super().get_readonly_fields(request, obj))
        if obj is None:
            fields.remove("team_id")
        return fields


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "channel_id",
        "workspace",
        "segment",
        "is_monitored",
        "is_private",
        "is_ext_shared",
        "is_config_managed",
    ]
    list_filter = [
        "segment",
        "is_monitored",
        "is_private",
        "is_ext_shared",
        "is_config_managed",
        "workspace",
    ]
    list_editable = ["segment", "is_monitored"]
    search_fields = ["name", "channel_id"]
    list_select_related = ["workspace"]
    readonly_fields = ["created_at", "updated_at", "info_fetched_at"]


@admin.register(SlackUser)
class SlackUserAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "user_id",
        "team_id",
        "workspace",
        "side_display",
        "side_override",
        "is_bot",
        "email",
    ]
    list_filter = ["is_external", "side_override", "is_bot", "workspace"]
    search_fields = ["name", "real_name", "display_name", "user_id", "email"]
    list_select_related = ["workspace"]
    readonly_fields = ["is_external", "created_at", "updated_at", "info_fetched_at"]

    @admin.display(description="Side")
    def side_display(self, user: SlackUser) -> str:
        return user.side


@admin.register(InboundEvent)
class InboundEventAdmin(admin.ModelAdmin):
    list_display = [
        "event_id",
        "event_type",
        "event_subtype",
        "team_id",
        "status",
        "attempts",
        "retry_count",
        "received_at",
        "processed_at",
    ]
    list_filter = ["status", "event_type"]
    search_fields = ["event_id", "team_id"]
    date_hierarchy = "received_at"
    show_full_result_count = False  # a large table: no COUNT(*) on every page
    readonly_fields = [field.name for field in InboundEvent._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(WorkspaceMembership)
class WorkspaceMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "workspace", "role", "slack_user"]
    list_filter = ["role", "workspace"]
    search_fields = ["user__username", "user__email", "workspace__name"]
    list_select_related = ["user", "workspace", "slack_user"]
    raw_id_fields = ["slack_user"]


@admin.register(SlackOAuthState)
class SlackOAuthStateAdmin(admin.ModelAdmin):
    list_display = ["__str__", "expire_at"]
    # The state value is a one-time secret of an install in progress: never shown.
    exclude = ["state"]
    readonly_fields = ["expire_at"]

    def has_add_permission(self, request) -> bool:
        return False
