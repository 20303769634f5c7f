"""``python manage.py apply_config FILE.yaml [--dry-run]``: declare a workspace's setup."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from slack_integration.configfile import ConfigError, apply_config, load_config_file, plan_config
from slack_integration.models import Channel


def _known_channel(team_id: str, channel_id: str) -> bool:
    return Channel.objects.filter(workspace__team_id=team_id, channel_id=channel_id).exists()


class Command(BaseCommand):
    help = (
        "Applies a config-as-code YAML file: channels, calendars, SLA policies and alert rules "
        "of one workspace. The file is the truth for what it manages; --dry-run prints the diff."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Print the changes without making them."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            spec = load_config_file(options["file"], known_channel=_known_channel)
            changes = plan_config(spec) if options["dry_run"] else apply_config(spec)
        except ConfigError as error:
            raise CommandError("invalid configuration:\n" + "\n".join(error.errors)) from error
        for change in changes:
            self.stdout.write(change.describe())
        verb = "would change" if options["dry_run"] else "changed"
        summary = f"{len(changes)} object(s) {verb}." if changes else "No changes."
        self.stdout.write(self.style.SUCCESS(summary))
