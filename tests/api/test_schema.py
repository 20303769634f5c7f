"""The OpenAPI schema validates without warnings, and the schema and docs pages are served."""

from io import StringIO

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_schema_is_valid_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"

    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(target), stderr=StringIO()
    )

    schema = yaml.safe_load(target.read_text())
    assert "/api/v1/requests/{id}/create-ticket/" in schema["paths"]


def test_every_operation_documents_its_errors(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(target), stderr=StringIO())
    schema = yaml.safe_load(target.read_text())

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"401", "403", "404", "429"} <= codes, (method, path)
            if method in ("post", "put", "patch"):
                assert "400" in codes, (method, path)


def test_credentials_are_write_only_in_the_schema(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)

    components = schema["components"]["schemas"]
    assert "credentials" not in components["TicketProvider"]["properties"]
    assert "credentials" in components["TicketProviderRequest"]["properties"]
    assert "bot_token" not in components["Workspace"]["properties"]


def test_schema_and_docs_pages_are_served(client):
    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()
