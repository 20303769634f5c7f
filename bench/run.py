"""``make bench``: runs every benchmark and prints its figures (nothing is asserted)."""

import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCHMARKS = ["detection_bench", "ingest_bench", "sla_bench", "summary_bench"]


def main() -> None:
    selected = sys.argv[1:] or BENCHMARKS
    for name in selected:
        path = ROOT / "bench" / f"{name}.py"
        if not path.exists():
            print(f"== {name}: not available")
            continue
        print(f"== {name}")
        module = importlib.import_module(f"bench.{name}")
        module.main([])
        sys.stdout.flush()


if __name__ == "__main__":
    main()
