"""Messages, customer requests and each request's audit timeline."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from slack_integration.models import Channel, SlackUser, Workspace
from thena.db import TimestampedModel


class Message(TimestampedModel):
    """A Slack message in a known channel. ``(channel, ts)`` is Slack's own key."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="messages")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="messages")
    ts = models.CharField(max_length=32)
    thread_ts = models.CharField(max_length=32, blank=True)
    author = models.ForeignKey(
        SlackUser, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    bot_id = models.CharField(max_length=32, blank=True)
    subtype = models.CharField(max_length=64, blank=True)
    text = models.TextField(blank=True)
    is_from_customer = models.BooleanField(default=False)
    is_auto_reply = models.BooleanField(
        default=False, help_text="Bot, workflow or out-of-office: never counts as a response."
    )
    posted_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    request = models.ForeignKey(
        "Request", on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )

    class Meta:
        ordering = ["channel", "posted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "ts"], name="%(app_label)s_%(class)s_unique_ts"
            ),
        ]
        indexes = [
            # Grouping and vendor-reply lookups: recent messages of a channel.
            models.Index(fields=["channel", "posted_at"], name="requests_message_channel_time"),
            models.Index(fields=["channel", "thread_ts"], name="requests_message_thread"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} @ {self.ts}"

    @property
    def root_ts(self) -> str:
        """The ts of the thread this message belongs to (its own ts when top-level)."""
        return self.thread_ts or self.ts

    @property
    def permalink(self) -> str:
        """A link that opens the message in Slack (built, so no Web API call is needed)."""
        host = f"https://{self.workspace.domain or 'app'}.slack.com"
        link = f"{host}/archives/{self.channel.channel_id}/p{self.ts.replace('.', '')}"
        if self.thread_ts and self.thread_ts != self.ts:
            link += f"?thread_ts={self.thread_ts}&cid={self.channel.channel_id}"
        return link


class RequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    ON_HOLD = "on_hold", "On hold (waiting on customer)"
    CLOSED = "closed", "Closed"
    DISCARDED = "discarded", "Discarded"
    CANCELLED = "cancelled", "Cancelled (source message deleted)"


ACTIVE_REQUEST_STATUSES = (RequestStatus.OPEN, RequestStatus.IN_PROGRESS, RequestStatus.ON_HOLD)


class DetectionStage(models.TextChoices):
    PREFILTER = "prefilter", "Prefilter"
    DISCARD_SUPPRESSION = "discard_suppression", "Discard suppression"
    LOCAL_CLASSIFIER = "local_classifier", "Local classifier"
    LLM = "llm", "LLM"
    REACTION = "reaction", "Manual (reaction)"
    MANUAL = "manual", "Manual"


class Request(TimestampedModel):
    """A customer request the vendor must act on, opened from one root message."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="requests")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="requests")
    root_message = models.OneToOneField(
        Message, on_delete=models.PROTECT, related_name="opened_request"
    )
    customer = models.ForeignKey(
        SlackUser, on_delete=models.PROTECT, related_name="customer_requests"
    )
    status = models.CharField(
        max_length=16, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    assignee = models.ForeignKey(
        SlackUser,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_requests",
    )
    detected_at = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    first_responder = models.ForeignKey(
        SlackUser, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        SlackUser, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    detection_stage = models.CharField(max_length=32, choices=DetectionStage.choices)
    detection_score = models.FloatField()
    detection_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-detected_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RequestStatus.values),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(detection_stage__in=DetectionStage.values),
                name="%(app_label)s_%(class)s_stage_valid",
            ),
            models.CheckConstraint(
                condition=Q(detection_score__gte=0) & Q(detection_score__lte=1),
                name="%(app_label)s_%(class)s_score_in_unit_interval",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
                name="%(app_label)s_%(class)s_closed_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "status"], name="requests_request_ws_status"),
            # `/my summary` and App Home: a user's active requests.
            models.Index(
                fields=["assignee", "status"],
                condition=Q(status__in=["open", "in_progress", "on_hold"]),
                name="requests_request_assignee_open",
            ),
        ]

    def __str__(self) -> str:
        return f"Request #{self.pk} in {self.channel}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_REQUEST_STATUSES


class RequestEventKind(models.TextChoices):
    DETECTED = "detected", "Detected"
    MESSAGE_ADDED = "message_added", "Message added"
    FIRST_RESPONSE = "first_response", "First response"
    ASSIGNED = "assigned", "Assigned"
    UNASSIGNED = "unassigned", "Unassigned"
    STATUS_CHANGED = "status_changed", "Status changed"
    CLOSED = "closed", "Closed"
    DISCARDED = "discarded", "Discarded"
    REOPENED = "reopened", "Reopened"
    CANCELLED = "cancelled", "Cancelled"
    TICKET_CREATED = "ticket_created", "Ticket created"
    SLA = "sla", "SLA"
    ALERTED = "alerted", "Alerted"


class EventSource(models.TextChoices):
    SLACK = "slack", "Slack"
    API = "api", "API"
    ADMIN = "admin", "Admin"
    SYSTEM = "system", "System"


class RequestEvent(models.Model):
    """One append-only entry of a request's timeline: who did what, when, from where."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=RequestEventKind.choices)
    at = models.DateTimeField()
    source = models.CharField(max_length=16, choices=EventSource.choices)
    actor = models.ForeignKey(
        SlackUser, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The Django user, for actions taken in the API or the admin.",
    )
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["request", "at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=RequestEventKind.values),
                name="%(app_label)s_%(class)s_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(source__in=EventSource.values),
                name="%(app_label)s_%(class)s_source_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"


class DiscardedMessage(TimestampedModel):
    """The text of a discarded request's root message, so similar messages are ignored.

    ``fingerprint`` is the detector's comparable form of the text, computed once at discard.
    """

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="discarded_messages"
    )
    request = models.OneToOneField(
        Request, on_delete=models.CASCADE, related_name="discarded_message"
    )
    text = models.TextField()
    fingerprint = models.JSONField(default=dict)
    is_active = models.BooleanField(
        default=True, help_text="Undoing a discard turns its suppression off."
    )

    class Meta:
        ordering = ["-created_at"]
        # Read by discard suppression for every new customer message of a workspace.
        indexes = [
            models.Index(
                fields=["workspace", "-created_at"],
                condition=Q(is_active=True),
                name="requests_discarded_active",
            )
        ]

    def __str__(self) -> str:
        return f"Discarded request #{self.request_id}"
