"""Encryption at rest for secrets (bot tokens, ticket-provider credentials).

Values are Fernet tokens. The keys come from ``FIELD_ENCRYPTION_KEYS`` (first key encrypts,
every key decrypts, so keys rotate by prepending); without it one key is derived from
``SECRET_KEY``.
"""

import base64
import hashlib
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

_PREFIX = "fernet:"


@cache
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if keys:
        try:
            return MultiFernet([Fernet(key.encode()) for key in keys])
        except ValueError as error:
            raise ImproperlyConfigured(
                "FIELD_ENCRYPTION_KEYS must hold url-safe base64 Fernet keys"
            ) from error
    derived = base64.urlsafe_b64encode(hashlib.sha256(secret_key.encode()).digest())
    return MultiFernet([Fernet(derived)])


def get_fernet() -> MultiFernet:
    """The Fernet instance for the current settings."""
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS), settings.SECRET_KEY)


def encrypt(value: str) -> str:
    """Encrypts ``value`` into a text token that :func:`decrypt` reverses."""
    return _PREFIX + get_fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """Decrypts a token made by :func:`encrypt`; raises ImproperlyConfigured on a wrong key."""
    if not token.startswith(_PREFIX):
        raise ImproperlyConfigured("value is not an encrypted token")
    try:
        return get_fernet().decrypt(token[len(_PREFIX) :].encode()).decode()
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "cannot decrypt a stored secret: SECRET_KEY or FIELD_ENCRYPTION_KEYS changed"
        ) from error


class EncryptedTextField(models.TextField):
    """A text column holding a Fernet token; Python code sees the plain value.

    Empty strings are stored as they are, so "no secret" stays visible without a key.
    The column cannot be filtered on, since each encryption of a value differs.
    """

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(str(value))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value in (None, ""):
            return value
        return decrypt(value)
