"""The trained model is cached on disk and rebuilt only when the data changes."""

import json
from pathlib import Path

from requests_app.detection import load_or_train

ROWS = [
    ("can you check why the export fails?", True),
    ("the dashboard is broken since this morning", True),
    ("any update on the refund?", True),
    ("please add a seat for our new hire", True),
    ("thanks, that worked!", False),
    ("sounds good", False),
    ("fyi we deployed on our side", False),
    ("have a great weekend", False),
]


def _write_data(path: Path, rows: list[tuple[str, bool]]) -> Path:
    lines = [
        json.dumps({"id": f"t{i}", "text": text, "is_request": label, "category": "x"})
        for i, (text, label) in enumerate(rows)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_first_build_trains_and_writes_the_cache(tmp_path: Path) -> None:
    data = _write_data(tmp_path / "train.jsonl", ROWS)
    cache = tmp_path / "cache"

    classifier = load_or_train(data_files=[data], cache_dir=cache)

    assert classifier.loaded_from_cache is False
    assert len(list(cache.glob("detector-*.json"))) == 1


def test_second_build_loads_the_cache_without_retraining(tmp_path: Path) -> None:
    data = _write_data(tmp_path / "train.jsonl", ROWS)
    cache = tmp_path / "cache"
    first = load_or_train(data_files=[data], cache_dir=cache)
    (model_file,) = cache.glob("detector-*.json")
    written_at = model_file.stat().st_mtime_ns

    second = load_or_train(data_files=[data], cache_dir=cache)

    assert second.loaded_from_cache is True
    assert model_file.stat().st_mtime_ns == written_at
    assert second.score("any update on the export?") == first.score("any update on the export?")


def test_changed_data_retrains_and_replaces_the_cache(tmp_path: Path) -> None:
    data = _write_data(tmp_path / "train.jsonl", ROWS)
    cache = tmp_path / "cache"
    load_or_train(data_files=[data], cache_dir=cache)
    (old_file,) = cache.glob("detector-*.json")

    _write_data(data, [*ROWS, ("is the API down?", True), ("thank you!", False)])
    retrained = load_or_train(data_files=[data], cache_dir=cache)

    (new_file,) = cache.glob("detector-*.json")
    assert retrained.loaded_from_cache is False
    assert new_file != old_file
    assert not old_file.exists()


def test_the_cache_directory_is_kept_out_of_git(tmp_path: Path) -> None:
    data = _write_data(tmp_path / "train.jsonl", ROWS)
    cache = tmp_path / "cache"

    load_or_train(data_files=[data], cache_dir=cache)

    assert (cache / ".gitignore").read_text(encoding="utf-8").strip() == "*"
