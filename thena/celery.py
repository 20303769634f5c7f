"""The Celery application. Configuration comes from Django settings (``CELERY_*``)."""

import os

from celery import Celery
from celery.signals import beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thena.settings")

app = Celery("thena")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@beat_init.connect
def sync_schedules_on_beat_start(sender: object, **kwargs: object) -> None:
    """Beat writes the declared schedules (and start-up defaults) itself, so no deploy can
    forget them."""
    # Imported here because this module loads before Django's app registry is ready.
    from django.core.management import call_command

    call_command("sync_schedules")
