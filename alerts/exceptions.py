"""Errors of the alerts app."""

from thena.errors import DomainError


class DeliveryError(Exception):
    """A backend could not deliver an alert.

    ``is_transient`` errors are retried with backoff (``retry_after`` seconds when the
    destination said so, e.g. Slack's 429); permanent ones are recorded and not retried.
    """

    def __init__(self, message: str, *, is_transient: bool, retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.is_transient = is_transient
        self.retry_after = retry_after


class AlertNotRetryableError(DomainError):
    code = "alert_not_retryable"
    http_status = 409
