"""The base class of every domain error. Each app subclasses it in its ``exceptions.py``."""


class DomainError(Exception):
    """An expected failure of a use case, shown to the user as it is.

    ``code`` is stable (clients and tests match on it), ``message`` is for people, and
    ``http_status`` is what the API answers with.
    """

    code: str = "domain_error"
    http_status: int = 400

    def __init__(self, message: str, *, code: str | None = None, http_status: int | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if http_status is not None:
            self.http_status = http_status


class NotFoundError(DomainError):
    """The object does not exist, or belongs to a workspace the caller cannot see."""

    code = "not_found"
    http_status = 404


class ConflictError(DomainError):
    """The object is not in a state where the action applies (e.g. already closed)."""

    code = "conflict"
    http_status = 409


class PermissionDeniedError(DomainError):
    """The caller may see the object but not change it."""

    code = "permission_denied"
    http_status = 403
