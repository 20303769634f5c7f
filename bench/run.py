"""``make bench``: runs every benchmark and prints its figures (nothing is asserted).

Each benchmark runs in its own process: they configure Django (and its database) each in
their own way, and one that fails must not hide the others.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BENCHMARKS = ["detection_bench", "ingest_bench", "sla_bench", "summary_bench"]


def main() -> None:
    selected = sys.argv[1:] or BENCHMARKS
    failed = []
    for name in selected:
        print(f"== {name}", flush=True)
        completed = subprocess.run(  # noqa: S603 (our own scripts, by fixed name)
            [sys.executable, str(ROOT / "bench" / f"{name}.py")], cwd=ROOT, check=False
        )
        if completed.returncode != 0:
            print(f"== {name} failed (exit {completed.returncode})", flush=True)
            failed.append(name)
    if failed:
        raise SystemExit(f"benchmarks that could not run: {', '.join(failed)}")


if __name__ == "__main__":
    main()
