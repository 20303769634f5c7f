"""``python manage.py sync_schedules``: write the declared periodic tasks for celery beat."""

from typing import Any

from django.core.management.base import BaseCommand

from thena.schedules import sync_periodic_tasks


class Command(BaseCommand):
    help = (
        "Start-up defaults: the periodic tasks (sweeper, SLA evaluation) for celery beat, and "
        "the default triage alert rule when SLACK_TRIAGE_CHANNEL is set."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        changed = sync_periodic_tasks()
        self.stdout.write(
            f"periodic tasks changed: {', '.join(changed)}"
            if changed
            else "periodic tasks up to date"
        )
