"""``python manage.py simulate FILE.jsonl [--url URL] [--delay SECONDS] [--no-shift]``.

Posts each line of a JSONL file to ``/slack/events`` as Slack would: signed with
``SLACK_SIGNING_SECRET`` at the current time. Every event gets a fresh ``event_id`` and the
messages are shifted so the latest lands now; ``slack_integration/simulate.py`` documents
the file format and exactly what is rewritten.
"""

import os
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from slack_integration.simulate import PostResult, PreparedPost, new_run_id, parse_jsonl, send


def default_url() -> str:
    """Where ``bin/run-all`` serves: ``PORT`` (the server's own variable), default 8000."""
    return f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}/slack/events"


class Command(BaseCommand):
    help = (
        "Posts the Slack payloads of a JSONL file (one per line) to /slack/events, signed "
        "with SLACK_SIGNING_SECRET. Events get fresh event_ids (unless a line sets "
        '"keep_event_id": true) and their timestamps are shifted so the latest is now '
        "(--no-shift keeps them)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="JSONL file, one Slack payload per line.")
        parser.add_argument(
            "--url",
            default=None,
            help="Events endpoint (default http://127.0.0.1:$PORT/slack/events, "
            "PORT default 8000).",
        )
        parser.add_argument(
            "--delay", type=float, default=0.0, help="Seconds to wait between posts (default 0)."
        )
        parser.add_argument(
            "--no-shift",
            action="store_true",
            help="Send message timestamps as they are in the file.",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=10.0,
            help="Seconds to wait for each response (default 10).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        secret = settings.SLACK_SIGNING_SECRET
        if not secret:
            raise CommandError(
                "SLACK_SIGNING_SECRET is not set: the server would reject "
                "unsigned requests. Set it to the server's value."
            )
        if options["delay"] < 0:
            raise CommandError("--delay must be zero or more seconds")
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"cannot read {path}: {error}") from error
        parsed = parse_jsonl(
            text, now=time.time(), run_id=new_run_id(), shift_ts=not options["no_shift"]
        )
        for bad in parsed.bad_lines:
            self.stderr.write(f"{path}:{bad.line_number}: skipped: {bad.problem}")
        if parsed.ts_offset_seconds:
            self.stdout.write(
                f"message timestamps shifted by {parsed.ts_offset_seconds} s (latest message = now)"
            )
        url = options["url"] or default_url()
        failed = self._post_all(
            parsed.posts, url=url, secret=secret, delay=options["delay"], timeout=options["timeout"]
        )
        summary = (
            f"{len(parsed.posts)} posted, {failed} failed, {len(parsed.bad_lines)} line(s) skipped"
        )
        if failed or parsed.bad_lines:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))

    def _post_all(
        self, posts: list[PreparedPost], *, url: str, secret: str, delay: float, timeout: float
    ) -> int:
        """Posts in order and prints a line for each; returns how many failed."""
        failed = 0
        for position, post in enumerate(posts):
            if position and delay:
                time.sleep(delay)
            result = send(post, url=url, secret=secret, timeout_seconds=timeout)
            if result.status is None:
                raise CommandError(f"cannot reach {url}: {result.detail} (is the server running?)")
            self.stdout.write(self._line(post, result))
            failed += not result.is_ok
        return failed

    def _line(self, post: PreparedPost, result: PostResult) -> str:
        line = (
            f"{post.index:>4}  line {post.line_number:<4} {post.label:<32} "
            f"{result.status}  {result.latency_ms:8.1f} ms"
        )
        if post.event_id:
            line += f"  {post.event_id}"
        if not result.is_ok:
            return self.style.ERROR(f"{line}  {result.detail}".rstrip())
        return line
