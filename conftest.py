"""Fixtures shared by every app's tests."""

import pytest
from django.test import Client


@pytest.fixture
def staff_client(db, django_user_model) -> Client:
    """A client logged in as a staff superuser (the support lead using the admin)."""
    user = django_user_model.objects.create_superuser("lead", "lead@acme.example", "pw-lead-1")
    client = Client()
    client.force_login(user)
    return client
