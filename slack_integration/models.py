"""The shared kernel (Workspace, Channel, SlackUser) and the inbound event log.

Every app may import Workspace, Channel and SlackUser; nothing else of this package is
imported by a domain app.
"""

from django.db import models
from django.db.models import Q

from thena.db import TimestampedModel
from thena.encryption import EncryptedTextField


class Strictness(models.TextChoices):
    """How eagerly the detector calls a message a request (mapped to score thresholds)."""

    AGGRESSIVE = "aggressive", "Aggressive (fewest missed requests)"
    BALANCED = "balanced", "Balanced"
    CONSERVATIVE = "conservative", "Conservative (fewest false alerts)"


class Segment(models.TextChoices):
    """The kind of relationship a channel is with; alerts and SLAs are segmented by it."""

    CUSTOMER = "customer", "Customer"
    PROSPECT = "prospect", "Prospect"
    PARTNER = "partner", "Partner"
    INTERNAL = "internal", "Internal"


class Workspace(TimestampedModel):
    """A vendor Slack workspace where the app is installed (one installation per team)."""

    team_id = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=255, blank=True)
    domain = models.CharField(max_length=255, blank=True)
    enterprise_id = models.CharField(max_length=32, blank=True)
    app_id = models.CharField(max_length=32, blank=True)
    bot_user_id = models.CharField(max_length=32, blank=True)
    bot_id = models.CharField(max_length=32, blank=True)
    bot_token = EncryptedTextField(blank=True, help_text="Stored encrypted; never displayed.")
    bot_scopes = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    installed_at = models.DateTimeField(null=True, blank=True)
    timezone = models.CharField(
        max_length=64, default="UTC", help_text="IANA time zone used by reports."
    )
    detection_strictness = models.CharField(
        max_length=16, choices=Strictness.choices, default=Strictness.BALANCED
    )
    grouping_window_seconds = models.PositiveIntegerField(
        default=120,
        help_text="Consecutive top-level messages from one customer within this window "
        "join one request.",
    )
    request_reaction = models.CharField(
        max_length=64,
        default="ticket",
        help_text="Emoji name that turns a customer message into a request.",
    )
    internal_email_domains = models.JSONField(
        default=list,
        blank=True,
        help_text="Users whose e-mail is in one of these domains are always internal.",
    )

    class Meta:
        ordering = ["name", "team_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(detection_strictness__in=Strictness.values),
                name="%(app_label)s_%(class)s_strictness_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.team_id} ({self.team_id})"


class Channel(TimestampedModel):
    """A Slack conversation the bot knows about, with its segment and monitoring switch."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="channels")
    channel_id = models.CharField(max_length=32)
    name = models.CharField(max_length=255, blank=True)
    segment = models.CharField(max_length=16, choices=Segment.choices, default=Segment.CUSTOMER)
    is_monitored = models.BooleanField(default=True)
    is_private = models.BooleanField(default=False)
    is_ext_shared = models.BooleanField(default=False)
    is_archived = models.BooleanField(default=False)
    is_member = models.BooleanField(default=False, help_text="The bot is in the channel.")
    connected_team_ids = models.JSONField(default=list, blank=True)
    detection_strictness = models.CharField(
        max_length=16,
        choices=Strictness.choices,
        blank=True,
        help_text="Overrides the workspace's strictness when set.",
    )
    post_ticket_links_in_thread = models.BooleanField(
        default=False,
        help_text="Post created tickets' links in the customer's thread (else only in the "
        "triage alert's thread).",
    )
    sync_reactions = models.BooleanField(
        default=True, help_text="Mirror request state as reactions on the customer message."
    )
    is_config_managed = models.BooleanField(
        default=False, help_text="Declared by `apply_config`; the config file owns it."
    )
    info_fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["workspace", "name", "channel_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "channel_id"], name="%(app_label)s_%(class)s_unique_id"
            ),
            models.CheckConstraint(
                condition=Q(segment__in=Segment.values),
                name="%(app_label)s_%(class)s_segment_valid",
            ),
            models.CheckConstraint(
                condition=Q(detection_strictness__in=[*Strictness.values, ""]),
                name="%(app_label)s_%(class)s_strictness_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.name or self.channel_id}"

    @property
    def effective_strictness(self) -> str:
        return self.detection_strictness or self.workspace.detection_strictness


class Side(models.TextChoices):
    """Which side of a shared channel a user is on."""

    INTERNAL = "internal", "Internal (vendor team)"
    EXTERNAL = "external", "External (customer)"


class SlackUser(TimestampedModel):
    """A Slack user seen from one workspace. ``side`` decides who is a customer."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="users")
    user_id = models.CharField(max_length=32)
    team_id = models.CharField(max_length=32, blank=True, help_text="The user's home team.")
    name = models.CharField(max_length=255, blank=True)
    real_name = models.CharField(max_length=255, blank=True)
    display_name = models.CharField(max_length=255, blank=True)
    email = models.EmailField(blank=True)
    is_bot = models.BooleanField(default=False)
    is_external = models.BooleanField(
        default=False, help_text="Detected: the user's team is not the workspace's team."
    )
    side_override = models.CharField(
        max_length=16,
        choices=Side.choices,
        blank=True,
        help_text="Set by an admin; wins over detection.",
    )
    info_fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["workspace", "real_name", "name", "user_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "user_id"], name="%(app_label)s_%(class)s_unique_id"
            ),
            models.CheckConstraint(
                condition=Q(side_override__in=[*Side.values, ""]),
                name="%(app_label)s_%(class)s_side_override_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.display_name or self.real_name or self.name or self.user_id

    @property
    def side(self) -> str:
        if self.side_override:
            return self.side_override
        return Side.EXTERNAL if self.is_external else Side.INTERNAL

    @property
    def is_internal(self) -> bool:
        return self.side == Side.INTERNAL and not self.is_bot


class InboundEventStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSED = "processed", "Processed"
    IGNORED = "ignored", "Ignored"
    FAILED = "failed", "Failed"


class InboundEvent(TimestampedModel):
    """A Slack Events API delivery, stored before the ack. ``event_id`` dedupes retries."""

    event_id = models.CharField(max_length=64, unique=True)
    team_id = models.CharField(max_length=32, blank=True, help_text="The installation's team.")
    event_type = models.CharField(max_length=64, blank=True)
    event_subtype = models.CharField(max_length=64, blank=True)
    payload = models.JSONField()
    received_at = models.DateTimeField()
    retry_count = models.PositiveIntegerField(
        default=0, help_text="Slack re-deliveries seen for this event (X-Slack-Retry-Num)."
    )
    status = models.CharField(
        max_length=16, choices=InboundEventStatus.choices, default=InboundEventStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=InboundEventStatus.values),
                name="%(app_label)s_%(class)s_status_valid",
            ),
        ]
        # Scanned by the ingestion sweeper: cost follows the pending rows only.
        indexes = [
            models.Index(
                fields=["received_at"],
                condition=Q(status="pending"),
                name="slack_inbound_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type or 'event'} {self.event_id}"


class SlackOAuthState(models.Model):
    """A one-time OAuth ``state`` issued by ``/slack/install`` (Bolt's state store)."""

    state = models.CharField(max_length=64, unique=True)
    expire_at = models.DateTimeField()

    class Meta:
        ordering = ["-expire_at"]
        verbose_name = "Slack OAuth state"

    def __str__(self) -> str:
        return f"OAuth state expiring {self.expire_at:%Y-%m-%d %H:%M}"


class MemberRole(models.TextChoices):
    ADMIN = "admin", "Admin (configures the workspace)"
    AGENT = "agent", "Agent (acts on requests)"
    READ_ONLY = "read_only", "Read-only"


class WorkspaceMembership(TimestampedModel):
    """Which Django users may use the API (and admin lists) for which workspace, and how."""

    user = models.ForeignKey(
        "auth.User", on_delete=models.CASCADE, related_name="workspace_memberships"
    )
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="members")
    role = models.CharField(max_length=16, choices=MemberRole.choices, default=MemberRole.AGENT)
    slack_user = models.ForeignKey(
        SlackUser,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The member's Slack identity, for `me/summary` and actions taken via the API.",
    )

    class Meta:
        ordering = ["workspace", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "workspace"], name="%(app_label)s_%(class)s_unique_member"
            ),
            models.CheckConstraint(
                condition=Q(role__in=MemberRole.values),
                name="%(app_label)s_%(class)s_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} ({self.role})"
