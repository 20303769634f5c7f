"""SLA policies, business-hours calendars, and the clocks that run per request."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from slack_integration.models import Channel, Segment, Workspace
from thena.db import TimestampedModel

FIRST_RESPONSE_MINUTES_MIN = 30
FIRST_RESPONSE_MINUTES_MAX = 2880


class BusinessHoursCalendar(TimestampedModel):
    """Working hours in a time zone, with holidays. SLA time only runs inside them."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="calendars")
    name = models.CharField(max_length=100)
    timezone = models.CharField(max_length=64, default="UTC")
    weekly_hours = models.JSONField(
        default=dict,
        help_text='Local spans per weekday, e.g. {"mon": ["09:00-12:00", "13:00-17:30"]}.',
    )
    holidays = models.JSONField(default=list, blank=True, help_text="Dates, YYYY-MM-DD.")
    country = models.CharField(
        max_length=8, blank=True, help_text="Adds the country's public holidays (e.g. DE)."
    )
    subdivision = models.CharField(max_length=16, blank=True)
    is_config_managed = models.BooleanField(default=False)

    class Meta:
        ordering = ["workspace", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "name"], name="%(app_label)s_%(class)s_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.timezone})"


class PolicyScope(models.TextChoices):
    GLOBAL = "global", "Global"
    SEGMENT = "segment", "Segment"
    CHANNEL = "channel", "Channel"


class ResponseScope(models.TextChoices):
    THREAD_ONLY = "thread", "Reply in the thread only"
    THREAD_OR_CHANNEL = "thread_or_channel", "Reply in the thread or later in the channel"


class SLAPolicy(TimestampedModel):
    """First-response and resolution targets for a scope; the most specific one applies."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="sla_policies")
    name = models.CharField(max_length=100)
    scope = models.CharField(max_length=16, choices=PolicyScope.choices)
    segment = models.CharField(max_length=16, choices=Segment.choices, blank=True)
    channel = models.ForeignKey(
        Channel, on_delete=models.CASCADE, null=True, blank=True, related_name="sla_policies"
    )
    first_response_minutes = models.PositiveIntegerField(
        validators=[
            MinValueValidator(FIRST_RESPONSE_MINUTES_MIN),
            MaxValueValidator(FIRST_RESPONSE_MINUTES_MAX),
        ],
        help_text="30 minutes to 48 hours.",
    )
    next_response_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[
            MinValueValidator(FIRST_RESPONSE_MINUTES_MIN),
            MaxValueValidator(FIRST_RESPONSE_MINUTES_MAX),
        ],
        help_text="Optional: each customer follow-up after a vendor reply starts a clock.",
    )
    resolution_minutes = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)]
    )
    calendar = models.ForeignKey(
        BusinessHoursCalendar,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="policies",
        help_text="Empty means 24/7.",
    )
    warning_percent = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text="Warn when this share of the allowed time has passed; empty: no warning.",
    )
    escalation_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Alert the escalation destination this long after a breach still open.",
    )
    escalation_destination = models.CharField(max_length=32, blank=True)
    response_scope = models.CharField(
        max_length=24, choices=ResponseScope.choices, default=ResponseScope.THREAD_OR_CHANNEL
    )
    assignment_counts_as_response = models.BooleanField(
        default=False, help_text="An assigned request raises no first-response breach."
    )
    reopen_on_customer_reply = models.BooleanField(
        default=True, help_text="A customer message in a closed request's thread reopens it."
    )
    is_enabled = models.BooleanField(default=True)
    is_config_managed = models.BooleanField(default=False)

    class Meta:
        ordering = ["workspace", "scope", "name"]
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "name"], name="%(app_label)s_%(class)s_unique_name"
            ),
            models.CheckConstraint(
                condition=Q(segment__in=[*Segment.values, ""]),
                name="%(app_label)s_%(class)s_segment_valid",
            ),
            models.CheckConstraint(
                condition=(Q(scope="global") & Q(segment="") & Q(channel__isnull=True))
                | (Q(scope="segment") & ~Q(segment="") & Q(channel__isnull=True))
                | (Q(scope="channel") & Q(segment="") & Q(channel__isnull=False)),
                name="%(app_label)s_%(class)s_scope_target_consistent",
            ),
            models.CheckConstraint(
                condition=Q(
                    first_response_minutes__gte=FIRST_RESPONSE_MINUTES_MIN,
                    first_response_minutes__lte=FIRST_RESPONSE_MINUTES_MAX,
                ),
                name="%(app_label)s_%(class)s_first_response_in_range",
            ),
            models.CheckConstraint(
                condition=Q(next_response_minutes__isnull=True)
                | Q(
                    next_response_minutes__gte=FIRST_RESPONSE_MINUTES_MIN,
                    next_response_minutes__lte=FIRST_RESPONSE_MINUTES_MAX,
                ),
                name="%(app_label)s_%(class)s_next_response_in_range",
            ),
            models.CheckConstraint(
                condition=Q(resolution_minutes__isnull=True) | Q(resolution_minutes__gte=1),
                name="%(app_label)s_%(class)s_resolution_positive",
            ),
            models.CheckConstraint(
                condition=Q(warning_percent__isnull=True)
                | Q(warning_percent__gte=1, warning_percent__lte=99),
                name="%(app_label)s_%(class)s_warning_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(escalation_minutes__isnull=True) | ~Q(escalation_destination=""),
                name="%(app_label)s_%(class)s_escalation_has_destination",
            ),
            models.CheckConstraint(
                condition=Q(response_scope__in=ResponseScope.values),
                name="%(app_label)s_%(class)s_response_scope_valid",
            ),
            # At most one enabled policy per target, so "most specific wins" is well defined.
            models.UniqueConstraint(
                fields=["workspace"],
                condition=Q(scope="global", is_enabled=True),
                name="%(app_label)s_%(class)s_one_enabled_global",
            ),
            models.UniqueConstraint(
                fields=["workspace", "segment"],
                condition=Q(scope="segment", is_enabled=True),
                name="%(app_label)s_%(class)s_one_enabled_per_segment",
            ),
            models.UniqueConstraint(
                fields=["channel"],
                condition=Q(scope="channel", is_enabled=True),
                name="%(app_label)s_%(class)s_one_enabled_per_channel",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ClockKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", "First response"
    NEXT_RESPONSE = "next_response", "Next response"
    RESOLUTION = "resolution", "Resolution"


class ClockState(models.TextChoices):
    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused"
    MET = "met", "Met"
    BREACHED = "breached", "Breached"
    CANCELLED = "cancelled", "Cancelled"


class SLAClock(TimestampedModel):
    """One SLA target for one request, with the policy snapshot it was computed from."""

    request = models.ForeignKey(
        "requests_app.Request", on_delete=models.CASCADE, related_name="sla_clocks"
    )
    kind = models.CharField(max_length=16, choices=ClockKind.choices)
    policy = models.ForeignKey(
        SLAPolicy, on_delete=models.SET_NULL, null=True, blank=True, related_name="clocks"
    )
    policy_snapshot = models.JSONField(
        default=dict, help_text="The policy and calendar as they were when computed."
    )
    started_at = models.DateTimeField()
    target_minutes = models.PositiveIntegerField()
    due_at = models.DateTimeField()
    warn_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=16, choices=ClockState.choices, default=ClockState.RUNNING)
    paused_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was met, breached or cancelled."
    )
    breached_at = models.DateTimeField(null=True, blank=True)
    escalate_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        verbose_name = "SLA clock"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ClockKind.values),
                name="%(app_label)s_%(class)s_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(state__in=ClockState.values),
                name="%(app_label)s_%(class)s_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(due_at__gte=F("started_at")),
                name="%(app_label)s_%(class)s_due_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(state="paused") | Q(paused_at__isnull=False),
                name="%(app_label)s_%(class)s_paused_has_time",
            ),
            # One live clock per request and kind: re-running a start is a no-op.
            models.UniqueConstraint(
                fields=["request", "kind"],
                condition=Q(state__in=["running", "paused"]),
                name="%(app_label)s_%(class)s_one_live_per_kind",
            ),
        ]
        indexes = [
            # Scanned by evaluate_due_clocks every tick: cost follows due clocks only.
            models.Index(
                fields=["due_at"], condition=Q(state="running"), name="sla_clock_running_due"
            ),
            # Scanned by evaluate_due_clocks for warnings.
            models.Index(
                fields=["warn_at"],
                condition=Q(state="running", warned_at__isnull=True, warn_at__isnull=False),
                name="sla_clock_warn_due",
            ),
            # Scanned by evaluate_due_clocks for escalations of breaches still open.
            models.Index(
                fields=["escalate_at"],
                condition=Q(state="breached", escalated_at__isnull=True, escalate_at__isnull=False),
                name="sla_clock_escalation_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for request #{self.request_id} ({self.state})"


class ClockEventKind(models.TextChoices):
    STARTED = "started", "Started"
    WARNED = "warned", "Warned"
    PAUSED = "paused", "Paused"
    RESUMED = "resumed", "Resumed"
    MET = "met", "Met"
    BREACHED = "breached", "Breached"
    ESCALATED = "escalated", "Escalated"
    CANCELLED = "cancelled", "Cancelled"
    RECOMPUTED = "recomputed", "Recomputed"


class SLAClockEvent(models.Model):
    """Append-only log of a clock's life; reports and the request timeline read it."""

    clock = models.ForeignKey(SLAClock, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=ClockEventKind.choices)
    at = models.DateTimeField()
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["clock", "at", "id"]
        verbose_name = "SLA clock event"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ClockEventKind.values),
                name="%(app_label)s_%(class)s_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"
