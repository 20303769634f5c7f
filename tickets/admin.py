"""Admin for ticket providers (credentials write-only) and tickets."""

from django import forms
from django.contrib import admin

from tickets.models import Ticket, TicketProvider


class TicketProviderForm(forms.ModelForm):
    """Credentials can be replaced but are never displayed; empty keeps the stored value."""

    new_credentials = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        label="Credentials",
        help_text="API token or key. Leave empty to keep the stored value.",
    )

    class Meta:
        model = TicketProvider
        fields = [
            "workspace",
            "name",
            "kind",
            "base_url",
            "project_key",
            "key_prefix",
            "settings",
            "is_default",
            "is_enabled",
        ]

    def save(self, commit: bool = True) -> TicketProvider:
        provider = super().save(commit=False)
        if self.cleaned_data.get("new_credentials"):
            provider.credentials = self.cleaned_data["new_credentials"]
        if commit:
            provider.save()
        return provider


@admin.register(TicketProvider)
class TicketProviderAdmin(admin.ModelAdmin):
    form = TicketProviderForm
    list_display = [
        "name",
        "workspace",
        "kind",
        "project_key",
        "is_default",
        "is_enabled",
        "has_credentials",
    ]
    list_filter = ["kind", "is_default", "is_enabled", "workspace"]
    search_fields = ["name", "project_key"]
    list_select_related = ["workspace"]

    @admin.display(boolean=True, description="Credentials stored")
    def has_credentials(self, provider: TicketProvider) -> bool:
        return bool(provider.credentials)


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = [
        "external_key",
        "title",
        "provider",
        "status",
        "priority",
        "request",
        "created_at",
    ]
    list_filter = ["status", "priority", "provider__kind"]
    search_fields = ["external_key", "title"]
    list_select_related = ["provider", "request"]
    raw_id_fields = ["request", "created_by"]
