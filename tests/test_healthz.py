"""`GET /healthz` answers 200 when the database and broker answer, 503 otherwise."""

import socket

import pytest
from django.db import connection

from thena.celery import app as celery_app


@pytest.fixture
def unreachable_broker():
    """Points Celery at a Redis port where nothing listens (a real refused connection)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    keys = ("broker_url", "broker_read_url", "broker_write_url")
    original = {key: celery_app.conf[key] for key in keys}
    celery_app.conf.update(dict.fromkeys(keys, f"redis://127.0.0.1:{free_port}/0"))
    yield
    celery_app.conf.update(original)


@pytest.mark.django_db
def test_healthy_when_database_and_broker_answer(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok", "status": "ok"}


@pytest.mark.django_db
def test_unavailable_when_broker_is_down(client, unreachable_broker) -> None:
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "error", "status": "error"}
    assert b"redis://" not in response.content  # connection details are not disclosed


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a database server to stop")
def test_unavailable_when_database_is_down(client, django_db_blocker) -> None:
    """The connection is pointed at a port with no server, as when PostgreSQL is down."""
    with django_db_blocker.unblock():
        original = connection.settings_dict.copy()
        connection.close()
        connection.settings_dict["PORT"] = "1"
        try:
            response = client.get("/healthz")
        finally:
            connection.close()
            connection.settings_dict.update(original)
    assert response.status_code == 503
    assert response.json()["database"] == "error"


def test_healthz_accepts_only_get(client) -> None:
    assert client.post("/healthz").status_code == 405
