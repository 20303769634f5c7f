"""``python manage.py evaluate_slas``: run one SLA evaluation tick and say what it did."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from sla.evaluation import evaluate_due_clocks


class Command(BaseCommand):
    help = "Runs one SLA evaluation tick: breaches, warnings and escalations that are due."

    def handle(self, *args: Any, **options: Any) -> None:
        result = evaluate_due_clocks(now=timezone.now())
        for label, clock_ids in (
            ("breached", result.breached),
            ("warned", result.warned),
            ("escalated", result.escalated),
            ("failed", result.failed),
        ):
            for clock_id in clock_ids:
                self.stdout.write(f"{label}: clock {clock_id}")
        self.stdout.write(self.style.SUCCESS(result.summary()))
