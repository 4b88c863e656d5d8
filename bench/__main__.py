"""`make bench`: runs every benchmark, prints the figures, records them under bench/results/."""

import json
import os
import platform
import sys
from datetime import datetime, timezone
from pathlib import Path

from bench import images

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> int:
    figures = {"images": images.run()}
    record = {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
              "figures": figures}
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "latest.json"
    out.write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record, indent=2))
    print(f"recorded in {out}")
    missed = [name for name, f in figures.items() if not f.get("warm_noop_setup", {}).get("meets_target", True)]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
