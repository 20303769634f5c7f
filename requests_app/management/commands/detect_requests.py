"""``python manage.py detect_requests [--input FILE] [--output FILE]``: JSONL in, JSONL out.

Each input line needs ``id`` and ``text`` (``strictness`` is optional); each output line is
``{"id", "is_request", "score", "stage", "reason"}`` in input order. A bad line yields
``{"id", "error"}`` instead of stopping the run. No database writes; the LLM stage runs only
when configured.
"""

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from requests_app.detection import DetectionInput, Strictness, build_pipeline
from requests_app.services.detection import llm_settings

BATCH = 256


def _parse(line: str, number: int) -> tuple[Any, DetectionInput | None, str | None]:
    """(id, input, error) for one line."""
    try:
        item = json.loads(line)
    except ValueError as error:
        return f"line-{number}", None, f"invalid JSON: {error}"
    if not isinstance(item, dict):
        return f"line-{number}", None, "line must be a JSON object"
    item_id = item.get("id", f"line-{number}")
    text = item.get("text")
    if not isinstance(text, str):
        return item_id, None, "`text` must be a string"
    strictness = item.get("strictness", Strictness.BALANCED.value)
    if strictness not in Strictness.__members__.values():
        return item_id, None, f"unknown strictness {strictness!r}"
    return item_id, DetectionInput(text=text, strictness=strictness), None


class Command(BaseCommand):
    help = "Classifies messages (JSONL with id and text) as requests or not, as JSONL."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", type=Path, help="JSONL file (default: stdin)")
        parser.add_argument("--output", type=Path, help="JSONL file (default: stdout)")

    def handle(self, *args: Any, **options: Any) -> None:
        pipeline = build_pipeline(llm=llm_settings())
        try:
            source = options["input"].open(encoding="utf-8") if options["input"] else sys.stdin
            target = (
                options["output"].open("w", encoding="utf-8") if options["output"] else self.stdout
            )
        except OSError as error:
            raise CommandError(f"cannot open file: {error}") from error
        try:
            for record in self._classify(pipeline, source):
                target.write(json.dumps(record, ensure_ascii=False) + "\n")
        finally:
            if options["input"]:
                source.close()
            if options["output"]:
                target.close()

    def _classify(self, pipeline: Any, source: IO[str]) -> Iterator[dict[str, Any]]:
        pending: list[tuple[Any, DetectionInput | None, str | None]] = []
        for number, line in enumerate(source, start=1):
            if not line.strip():
                continue
            pending.append(_parse(line, number))
            if len(pending) >= BATCH:
                yield from self._flush(pipeline, pending)
                pending = []
        yield from self._flush(pipeline, pending)

    def _flush(self, pipeline: Any, pending: list) -> Iterator[dict[str, Any]]:
        inputs = [item for _, item, _ in pending if item is not None]
        decisions = iter(pipeline.decide_many(inputs))
        for item_id, item, error in pending:
            if item is None:
                yield {"id": item_id, "error": error}
                continue
            decision = next(decisions)
            yield {
                "id": item_id,
                "is_request": decision.is_request,
                "score": round(decision.score, 4),
                "stage": decision.stage,
                "reason": decision.reason,
            }
