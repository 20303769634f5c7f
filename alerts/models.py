"""Alert rules (what to alert where) and alert records (one per request, event, destination)."""

from django.db import models
from django.db.models import Q

from slack_integration.models import Channel, Segment, Workspace
from thena.db import TimestampedModel


class AlertEvent(models.TextChoices):
    REQUEST_DETECTED = "request_detected", "Request detected"
    FIRST_RESPONSE_WARNING = "first_response_warning", "First response warning"
    FIRST_RESPONSE_BREACHED = "first_response_breached", "First response breached"
    NEXT_RESPONSE_BREACHED = "next_response_breached", "Next response breached"
    RESOLUTION_WARNING = "resolution_warning", "Resolution warning"
    RESOLUTION_BREACHED = "resolution_breached", "Resolution breached"
    ESCALATION = "escalation", "Escalation"


class RuleScope(models.TextChoices):
    GLOBAL = "global", "Global"
    SEGMENT = "segment", "Segment"
    CHANNEL = "channel", "Channel"


class AlertRule(TimestampedModel):
    """Sends alerts for one event type, from channels in a scope, to one destination."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="alert_rules")
    name = models.CharField(max_length=100, blank=True)
    event = models.CharField(max_length=32, choices=AlertEvent.choices)
    scope = models.CharField(max_length=16, choices=RuleScope.choices, default=RuleScope.GLOBAL)
    segment = models.CharField(max_length=16, choices=Segment.choices, blank=True)
    channel = models.ForeignKey(
        Channel, on_delete=models.CASCADE, null=True, blank=True, related_name="alert_rules"
    )
    destination = models.CharField(
        max_length=32, help_text="Slack channel ID the alert is posted to (e.g. C0TRIAGE)."
    )
    is_enabled = models.BooleanField(default=True)
    is_config_managed = models.BooleanField(default=False)
    config_key = models.CharField(
        max_length=255, blank=True, help_text="Identity of a rule declared by apply_config."
    )

    class Meta:
        ordering = ["workspace", "event", "destination"]
        constraints = [
            models.CheckConstraint(
                condition=Q(event__in=AlertEvent.values),
                name="%(app_label)s_%(class)s_event_valid",
            ),
            models.CheckConstraint(
                condition=(Q(scope="global") & Q(segment="") & Q(channel__isnull=True))
                | (Q(scope="segment") & ~Q(segment="") & Q(channel__isnull=True))
                | (Q(scope="channel") & Q(segment="") & Q(channel__isnull=False)),
                name="%(app_label)s_%(class)s_scope_target_consistent",
            ),
            models.CheckConstraint(
                condition=~Q(destination=""), name="%(app_label)s_%(class)s_has_destination"
            ),
            models.UniqueConstraint(
                fields=["workspace", "config_key"],
                condition=~Q(config_key=""),
                name="%(app_label)s_%(class)s_unique_config_key",
            ),
        ]
        # Rule matching reads a workspace's enabled rules for one event.
        indexes = [
            models.Index(
                fields=["workspace", "event"],
                condition=Q(is_enabled=True),
                name="alerts_rule_enabled_event",
            )
        ]

    def __str__(self) -> str:
        label = self.name or self.get_event_display()
        return f"{label} → {self.destination}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (will retry)"
    GAVE_UP = "gave_up", "Gave up"


class Alert(TimestampedModel):
    """One alert message: at most one per request, event, destination and occurrence.

    ``occurrence`` is empty for one-off events (request detected) and names the SLA clock for
    clock events, so a reopened request's new clock may alert again while re-runs never do.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="alerts")
    request = models.ForeignKey(
        "requests_app.Request", on_delete=models.CASCADE, related_name="alerts"
    )
    event = models.CharField(max_length=32, choices=AlertEvent.choices)
    destination = models.CharField(max_length=32)
    occurrence = models.CharField(max_length=64, blank=True, default="")
    clock = models.ForeignKey(
        "sla.SLAClock", on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts"
    )
    rules = models.ManyToManyField(AlertRule, related_name="alerts", blank=True)
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker took it for sending."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    slack_channel = models.CharField(max_length=32, blank=True)
    slack_ts = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "event", "destination", "occurrence"],
                name="%(app_label)s_%(class)s_one_per_request_event_destination",
            ),
            models.CheckConstraint(
                condition=Q(event__in=AlertEvent.values),
                name="%(app_label)s_%(class)s_event_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="%(app_label)s_%(class)s_sent_has_time",
            ),
        ]
        indexes = [
            # Scanned by the delivery retry sweep: alerts waiting for another attempt.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "sending", "failed"]),
                name="alerts_alert_undelivered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} for request #{self.request_id} → {self.destination}"
