"""``GET /healthz``: is the database answering, and is the broker?"""

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu.exceptions import KombuError

from thena.celery import app as celery_app

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2.0


def check_database() -> str | None:
    """Returns None when the database answers, else the error class name."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return type(error).__name__
    return None


def check_broker() -> str | None:
    """Returns None when the Celery broker accepts a connection, else the error class name."""
    try:
        with celery_app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
    except (KombuError, OSError) as error:
        return type(error).__name__
    return None


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with both checks "ok", else 503 naming what failed (never the connection URL)."""
    problems = {"database": check_database(), "broker": check_broker()}
    body = {name: ("ok" if problem is None else "error") for name, problem in problems.items()}
    failing = {name: problem for name, problem in problems.items() if problem is not None}
    if failing:
        logger.warning("health.failing", extra={"checks": failing})
        body["status"] = "error"
        return JsonResponse(body, status=503)
    body["status"] = "ok"
    return JsonResponse(body)
