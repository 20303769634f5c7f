"""`GET /healthz` answers 200 when the database and broker answer, 503 otherwise."""

import pytest
from django.db import connection

from conftest import celery_configured, unreachable_broker_url


@pytest.fixture
def unreachable_broker():
    with celery_configured(broker_url=unreachable_broker_url()):
        yield


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
