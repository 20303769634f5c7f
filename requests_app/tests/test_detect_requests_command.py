"""`python manage.py detect_requests`: JSONL in, one JSONL verdict per line out, in order."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from requests_app.models import Message, Request


def run(lines: list[str], tmp_path) -> list[dict]:
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n")
    out = StringIO()
    call_command("detect_requests", "--input", str(source), stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.mark.django_db
def test_each_line_gets_a_verdict_in_input_order(tmp_path) -> None:
    results = run(
        [
            json.dumps(
                {"id": "a", "text": "the export to S3 has failed with a 502 since this morning"}
            ),
            json.dumps({"id": "b", "text": "thanks, that fixed it!"}),
            json.dumps({"id": 3, "text": "¿pueden revisar por qué no llegan los webhooks?"}),
        ],
        tmp_path,
    )
    assert [result["id"] for result in results] == ["a", "b", 3]
    assert [result["is_request"] for result in results] == [True, False, True]
    for result in results:
        assert set(result) == {"id", "is_request", "score", "stage", "reason"}
        assert 0 <= result["score"] <= 1
    assert Message.objects.count() == Request.objects.count() == 0  # no database writes


def test_bad_lines_get_an_error_line_not_a_crash(tmp_path) -> None:
    results = run(
        [
            "{not json",
            json.dumps({"id": "no-text"}),
            json.dumps({"id": "ok", "text": "any update on this?"}),
            json.dumps(["a", "list"]),
        ],
        tmp_path,
    )
    assert results[0] == {"id": "line-1", "error": results[0]["error"]}
    assert "invalid JSON" in results[0]["error"]
    assert results[1]["id"] == "no-text"
    assert "text" in results[1]["error"]
    assert results[2]["is_request"] is True
    assert results[3]["id"] == "line-4"


def test_output_file_and_stdin(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", StringIO(json.dumps({"id": 1, "text": "ok"}) + "\n"))
    target = tmp_path / "out.jsonl"
    call_command("detect_requests", "--output", str(target))
    [result] = [json.loads(line) for line in target.read_text().splitlines()]
    assert (result["id"], result["is_request"], result["stage"]) == (1, False, "prefilter")


def test_prepare_detection_reports_the_model(capsys) -> None:
    call_command("prepare_detection")
    assert "detection model" in capsys.readouterr().out


ROOT = Path(__file__).resolve().parents[2]


def manage_without_secret(
    *arguments: str, cwd: Path, stdin: str = ""
) -> subprocess.CompletedProcess:
    """Runs manage.py as a fresh clone would, before `make run` has written .env."""
    if (ROOT / ".env").exists():
        pytest.skip("a .env file provides SECRET_KEY in this checkout")
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *arguments],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=300,
        check=False,
    )


def test_runs_from_a_fresh_clone_without_secret_key(tmp_path) -> None:
    """Before `make run` writes .env there is no SECRET_KEY; detection needs none."""
    completed = manage_without_secret(
        "detect_requests",
        cwd=tmp_path,
        stdin='{"id": 1, "text": "still seeing 502s on the export"}\n{"id": 2, "text": "thx!"}\n',
    )

    assert completed.returncode == 0, completed.stderr
    verdicts = [json.loads(line) for line in completed.stdout.splitlines()]
    assert [(v["id"], v["is_request"]) for v in verdicts] == [(1, True), (2, False)]


def test_other_commands_still_refuse_to_start_without_secret_key(tmp_path) -> None:
    completed = manage_without_secret("check", cwd=tmp_path)

    assert completed.returncode != 0
    assert "SECRET_KEY is not set" in completed.stderr
