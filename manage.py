#!/usr/bin/env python
"""Django's command-line utility."""

import os
import sys

# Commands that read no secret (no Slack token, no session, no encrypted field) run without
# SECRET_KEY, so `manage.py detect_requests` works in a fresh clone before `make run` has
# written .env. The settings module reads the flag; no other command gets it.
SECRETLESS_COMMANDS = frozenset({"detect_requests", "prepare_detection"})


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thena.settings")
    if len(sys.argv) > 1 and sys.argv[1] in SECRETLESS_COMMANDS:
        os.environ["THENA_SECRETLESS_COMMAND"] = sys.argv[1]
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
