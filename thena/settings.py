"""Settings, read from the environment (and an optional ``.env`` file) with django-environ.

Every variable has a default that runs with no server at all: a SQLite file and Celery's
filesystem broker under ``var/``. ``DATABASE_URL`` and ``CELERY_BROKER_URL`` switch to
PostgreSQL and Redis. README.md lists every variable.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    # manage.py sets the flag only for commands that read no secret (see SECRETLESS_COMMANDS).
    if not DEBUG and not env.str("THENA_SECRETLESS_COMMAND", default=""):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. `make run` writes one to .env; in production set it in "
            "the environment (DEBUG=true allows an insecure development key)."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

# Keys for encrypted model fields (bot tokens, ticket credentials). The first key encrypts,
# all of them decrypt, so a key can be rotated by putting the new one first.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "django_celery_beat",
    "slack_integration",
    "requests_app",
    "sla",
    "alerts",
    "tickets",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "thena.urls"
WSGI_APPLICATION = "thena.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'thena.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one file: WAL lets readers run beside a writer, IMMEDIATE
    # takes the write lock up front so concurrent writers wait instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Cache (API throttling counts) ----------------------------------------------------------
# Per process by default; point CACHE_URL at Redis (redis://host:6379/1) so every web worker
# shares the same throttling counts.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# --- Celery -----------------------------------------------------------------------------
# The default broker is kombu's filesystem transport: a folder under var/, no server needed.
BROKER_FOLDER = Path(env.str("BROKER_FOLDER", default=str(VAR_DIR / "broker")))
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://localhost/")
if CELERY_BROKER_URL.startswith("filesystem"):
    # The embedded broker is a folder; web, worker and beat all need it to exist.
    BROKER_FOLDER.mkdir(parents=True, exist_ok=True)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(BROKER_FOLDER),
        "data_folder_out": str(BROKER_FOLDER),
        "processed_folder": str(BROKER_FOLDER / "processed"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {"visibility_timeout": 3600}
)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The Slack ack path enqueues a task: a down broker must fail fast, not hold the ack past
# Slack's 3 s (the stored row is swept up later).
CELERY_BROKER_CONNECTION_TIMEOUT = 1.0
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
# A task is acknowledged after it ran, and re-queued if the worker dies mid-task: every task
# reloads its rows by id and checks their state, so running twice is safe.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Alert delivery has its own queue, so a burst of inbound events never delays the alerts of
# requests already detected. Workers consume both (bin/run-all: -Q celery,alerts).
CELERY_TASK_ROUTES = {"alerts.*": {"queue": "alerts"}}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True

# --- Slack --------------------------------------------------------------------------------
SLACK_SIGNING_SECRET = env.str("SLACK_SIGNING_SECRET", default="")
SLACK_BOT_TOKEN = env.str("SLACK_BOT_TOKEN", default="")
SLACK_CLIENT_ID = env.str("SLACK_CLIENT_ID", default="")
SLACK_CLIENT_SECRET = env.str("SLACK_CLIENT_SECRET", default="")
SLACK_API_BASE_URL = env.str("SLACK_API_BASE_URL", default="https://slack.com/api/")
SLACK_TRIAGE_CHANNEL = env.str("SLACK_TRIAGE_CHANNEL", default="")

# --- Alerts -------------------------------------------------------------------------------
ALERT_DELIVERY_BACKEND = env.str(
    "ALERT_DELIVERY_BACKEND",
    default="slack" if (SLACK_BOT_TOKEN or SLACK_CLIENT_ID) else "console",
)

# --- Detection ----------------------------------------------------------------------------
OPENAI_API_KEY = env.str("OPENAI_API_KEY", default="")
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="")
DETECTION_LLM_MODEL = env.str("DETECTION_LLM_MODEL", default="")
DETECTION_LLM_TIMEOUT_SECONDS = env.float("DETECTION_LLM_TIMEOUT_SECONDS", default=3.0)

# --- SLA ----------------------------------------------------------------------------------
SLA_EVALUATION_INTERVAL_SECONDS = env.int("SLA_EVALUATION_INTERVAL_SECONDS", default=30)

# --- API ----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an unauthenticated call gets 401 with `WWW-Authenticate: Token`.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("API_THROTTLE_USER", default="1000/min"),
        "anon": env.str("API_THROTTLE_ANON", default="30/min"),
    },
    "DEFAULT_PAGINATION_CLASS": "thena.api.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "thena.api.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "thena.api_schema.ErrorDocumentingAutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Thena API",
    "DESCRIPTION": (
        "Customer requests, alerts and SLAs for Slack shared channels.\n\n"
        "Authenticate with `Authorization: Token <key>` (`manage.py create_api_token`). "
        "You see the workspaces you are a member of; read-only members read, agents also "
        "act on requests, admins also change the configuration. Every error is "
        '`{"error": {"code", "message", "fields"}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RequestStatusEnum": "requests_app.models.RequestStatus",
        "DeliveryStatusEnum": "alerts.models.DeliveryStatus",
        "TicketStatusEnum": "tickets.models.TicketStatus",
        "ClockStateEnum": "sla.models.ClockState",
        "ClockKindEnum": "sla.models.ClockKind",
        "SegmentEnum": "slack_integration.models.Segment",
        "StrictnessEnum": "slack_integration.models.Strictness",
        "AlertEventEnum": "alerts.models.AlertEvent",
        "ScopeEnum": "sla.models.PolicyScope",
        "MemberRoleEnum": "slack_integration.models.MemberRole",
        "SideEnum": "slack_integration.models.Side",
        "ProviderKindEnum": "tickets.models.ProviderKind",
        "TicketPriorityEnum": "tickets.models.TicketPriority",
    },
}

# --- Logging ------------------------------------------------------------------------------
# One line of JSON per record: the message is a dotted event name, the facts are in `extra`.
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "thena.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

if not DEBUG:
    SESSION_COOKIE_HTTPONLY = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

# --- Periodic tasks (written to django-celery-beat by `manage.py sync_schedules`) ----------
PERIODIC_TASKS: dict[str, dict] = {
    "sweep-inbound-events": {"task": "slack_integration.sweep_inbound_events", "every_seconds": 60},
    "retry-undelivered-alerts": {"task": "alerts.retry_undelivered_alerts", "every_seconds": 60},
    "evaluate-slas": {
        "task": "sla.evaluate_due_clocks",
        "every_seconds": SLA_EVALUATION_INTERVAL_SECONDS,
    },
}
