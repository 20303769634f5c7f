"""``python manage.py recompute_sla_clocks POLICY --workspace TEAM_ID``: apply a policy edit
to the clocks still running on it (by default running clocks keep their snapshot)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from sla.models import SLAPolicy
from sla.services import recompute_policy_clocks


class Command(BaseCommand):
    help = "Recomputes the running SLA clocks of one policy from its current settings."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("policy", help="The policy's name.")
        parser.add_argument("--workspace", required=True, help="The workspace's team ID.")

    def handle(self, *args: Any, **options: Any) -> None:
        policy = (
            SLAPolicy.objects.filter(
                workspace__team_id=options["workspace"], name=options["policy"]
            )
            .select_related("calendar")
            .first()
        )
        if policy is None:
            raise CommandError(f"no SLA policy {options['policy']!r} in {options['workspace']}")
        changed = recompute_policy_clocks(policy=policy, now=timezone.now())
        self.stdout.write(self.style.SUCCESS(f"recomputed {changed} running clock(s)"))
