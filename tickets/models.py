"""Ticketing platforms configured per workspace, and the tickets created in them."""

from django.db import models
from django.db.models import Q

from slack_integration.models import Workspace
from thena.db import TimestampedModel
from thena.encryption import EncryptedTextField


class ProviderKind(models.TextChoices):
    INTERNAL = "internal", "Internal (kept in this database)"
    JIRA = "jira", "Jira"
    LINEAR = "linear", "Linear"
    ZENDESK = "zendesk", "Zendesk"
    GITHUB = "github", "GitHub Issues"


class TicketProvider(TimestampedModel):
    """A workspace's connection to a ticketing platform. Credentials are encrypted."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="ticket_providers"
    )
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=ProviderKind.choices)
    base_url = models.URLField(blank=True)
    project_key = models.CharField(
        max_length=100, blank=True, help_text="Jira project, Linear team, GitHub owner/repo."
    )
    key_prefix = models.CharField(
        max_length=16, default="REQ", help_text="Internal tickets are numbered PREFIX-1, -2..."
    )
    settings = models.JSONField(default=dict, blank=True)
    credentials = EncryptedTextField(blank=True, help_text="Stored encrypted; write-only.")
    is_default = models.BooleanField(default=False)
    is_enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["workspace", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "name"], name="%(app_label)s_%(class)s_unique_name"
            ),
            models.UniqueConstraint(
                fields=["workspace"],
                condition=Q(is_default=True),
                name="%(app_label)s_%(class)s_one_default",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ProviderKind.values),
                name="%(app_label)s_%(class)s_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class TicketPriority(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class TicketStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    CLOSED = "closed", "Closed"


class Ticket(TimestampedModel):
    """A ticket created for a request in one provider."""

    provider = models.ForeignKey(TicketProvider, on_delete=models.PROTECT, related_name="tickets")
    request = models.ForeignKey(
        "requests_app.Request", on_delete=models.CASCADE, related_name="tickets"
    )
    number = models.PositiveIntegerField(
        null=True, blank=True, help_text="Sequence within the provider (internal tickets)."
    )
    external_key = models.CharField(max_length=100)
    url = models.URLField(blank=True, max_length=500)
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    priority = models.CharField(
        max_length=16, choices=TicketPriority.choices, default=TicketPriority.MEDIUM
    )
    status = models.CharField(
        max_length=16, choices=TicketStatus.choices, default=TicketStatus.OPEN
    )
    created_by = models.ForeignKey(
        "slack_integration.SlackUser",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "external_key"], name="%(app_label)s_%(class)s_unique_key"
            ),
            models.UniqueConstraint(
                fields=["provider", "number"],
                condition=Q(number__isnull=False),
                name="%(app_label)s_%(class)s_unique_number",
            ),
            models.CheckConstraint(
                condition=Q(priority__in=TicketPriority.values),
                name="%(app_label)s_%(class)s_priority_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=TicketStatus.values),
                name="%(app_label)s_%(class)s_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.external_key}: {self.title}"
