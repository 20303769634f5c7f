"""Celery entry points of the alerts app."""

from celery import shared_task
from django.utils import timezone


@shared_task(name="alerts.deliver_alert")
def deliver_alert(alert_id: int) -> None:
    from alerts.services import deliver_alert

    deliver_alert(alert_id=alert_id)


@shared_task(name="alerts.refresh_alert")
def refresh_alert(alert_id: int) -> None:
    from alerts.services import refresh_alert

    refresh_alert(alert_id=alert_id)


@shared_task(name="alerts.retry_undelivered_alerts")
def retry_undelivered_alerts() -> int:
    """Periodic: re-enqueues alerts whose delivery is due again or whose worker died."""
    from alerts.selectors import list_alert_ids_due_for_delivery
    from alerts.services import deliver_alert

    alert_ids = list_alert_ids_due_for_delivery(now=timezone.now())
    for alert_id in alert_ids:
        deliver_alert(alert_id=alert_id)
    return len(alert_ids)
