"""``make bench``: runs every benchmark and prints its figures (nothing is asserted)."""

import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCHMARKS = ["detection_bench", "ingest_bench", "sla_bench", "summary_bench"]


def main() -> None:
    selected = sys.argv[1:] or BENCHMARKS
    failed: list[str] = []
    for name in selected:
        path = ROOT / "bench" / f"{name}.py"
        if not path.exists():
            print(f"== {name}: not available")
            continue
        print(f"== {name}", flush=True)
        module = importlib.import_module(f"bench.{name}")
        sys.argv = [str(path)]  # each bench parses its own (empty) command line
        try:
            module.main()
        except (SystemExit, Exception) as error:  # noqa: BLE001 (one broken bench must not hide the others)
            print(f"== {name} failed: {error!r}", flush=True)
            failed.append(name)
        sys.stdout.flush()
    if failed:
        raise SystemExit(f"benchmarks that could not run: {', '.join(failed)}")


if __name__ == "__main__":
    main()
