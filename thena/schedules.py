"""Periodic tasks, declared in settings and written to django-celery-beat idempotently.

``settings.PERIODIC_TASKS`` maps a name to ``{"task": dotted name, "every_seconds": N}``.
Rows this module created carry the ``thena:`` prefix; such rows no longer declared are
deleted, rows created by hand in the admin are left alone.
"""

import logging

from django.conf import settings
from django.db import transaction
from django_celery_beat.models import IntervalSchedule, PeriodicTask

logger = logging.getLogger(__name__)

PREFIX = "thena:"


def sync_periodic_tasks() -> list[str]:
    """Creates or updates the declared periodic tasks; returns the names it changed."""
    changed = []
    declared = settings.PERIODIC_TASKS
    with transaction.atomic():
        for name, spec in declared.items():
            interval, _ = IntervalSchedule.objects.get_or_create(
                every=spec["every_seconds"], period=IntervalSchedule.SECONDS
            )
            task, created = PeriodicTask.objects.get_or_create(
                name=PREFIX + name,
                defaults={"task": spec["task"], "interval": interval, "enabled": True},
            )
            if not created and (task.task, task.interval_id) != (spec["task"], interval.pk):
                task.task = spec["task"]
                task.interval = interval
                task.save(update_fields=["task", "interval"])
                created = True
            if created:
                changed.append(name)
        stale = PeriodicTask.objects.filter(name__startswith=PREFIX).exclude(
            name__in=[PREFIX + name for name in declared]
        )
        changed += [task.name for task in stale]
        stale.delete()
    if changed:
        logger.info("schedules.synced", extra={"changed": changed})
    return changed
