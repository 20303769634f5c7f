"""Alert delivery backends. ``ALERT_DELIVERY_BACKEND`` names one: ``slack``, ``console``,
``locmem`` or a dotted path to a class implementing :class:`AlertBackend`.

The Slack backend lives at the edge (``slack_integration.alert_backend``), so this app
never imports the Slack SDK.
"""

import sys
import threading
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from alerts.models import Alert
from alerts.selectors import AlertView

BACKENDS = {
    "slack": "slack_integration.alert_backend.SlackAlertBackend",
    "console": "alerts.backends.ConsoleBackend",
    "locmem": "alerts.backends.LocmemBackend",
}


@dataclass(frozen=True)
class Delivered:
    """Where the alert landed: the channel and the message ts to update it later."""

    channel: str
    ts: str


class AlertBackend(Protocol):
    def send(self, alert: Alert, view: AlertView) -> Delivered:
        """Posts the alert; raises :class:`alerts.exceptions.DeliveryError` on failure."""

    def update(self, alert: Alert, view: AlertView) -> None:
        """Re-renders an already delivered alert in place (state changed)."""


class ConsoleBackend:
    """Writes a plain-text rendering to standard output (the default without Slack)."""

    def send(self, alert: Alert, view: AlertView) -> Delivered:
        sys.stdout.write(view.as_text() + "\n")
        sys.stdout.flush()
        return Delivered(channel=alert.destination, ts=f"console-{alert.pk}")

    def update(self, alert: Alert, view: AlertView) -> None:
        sys.stdout.write(f"[updated] {view.as_text()}\n")


class LocmemBackend:
    """Keeps delivered alerts in memory, for tests (``LocmemBackend.outbox``)."""

    outbox: list[tuple[str, Alert, AlertView]] = []
    _lock = threading.Lock()

    def send(self, alert: Alert, view: AlertView) -> Delivered:
        with self._lock:
            self.outbox.append(("send", alert, view))
        return Delivered(channel=alert.destination, ts=f"locmem-{alert.pk}")

    def update(self, alert: Alert, view: AlertView) -> None:
        with self._lock:
            self.outbox.append(("update", alert, view))


@cache
def _backend_class(name: str) -> type:
    return import_string(BACKENDS.get(name, name))


def get_backend() -> AlertBackend:
    """The configured backend (a new instance each call: backends keep no state)."""
    return _backend_class(settings.ALERT_DELIVERY_BACKEND)()
