"""`python manage.py detect_requests`: JSONL in, one JSONL verdict per line out, in order."""

import json
from io import StringIO

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
