"""Errors of the requests app; each is shown to the user as it is."""

from thena.errors import ConflictError, DomainError, NotFoundError, PermissionDeniedError


class RequestNotFoundError(NotFoundError):
    code = "request_not_found"


class RequestStateError(ConflictError):
    """The action does not apply in the request's current state (closed, discarded...)."""

    code = "request_state"


class NotInternalUserError(PermissionDeniedError):
    """Only vendor team members may act on requests (customers can click in shared channels)."""

    code = "not_internal_user"


class InvalidActionError(DomainError):
    code = "invalid_action"
