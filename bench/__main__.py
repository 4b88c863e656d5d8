"""`make bench`: runs every benchmark, prints the figures, records them under bench/results/.

`python -m bench [NAME ...]` runs only the named ones (images, user_api, ...).
`python -m bench --dry [NAME ...]` starts each with a second or so of work and records
nothing: does it run here at all (what `make test` checks), not how fast."""

import json
import os
import platform
import sys
from datetime import datetime, timezone
from pathlib import Path

from bench import contract, faultproxy, harness, images, load_generator, suite, user_api

RESULTS = Path(__file__).resolve().parent / "results"
BENCHMARKS = {"images": images.run, "user_api": user_api.run, "faultproxy": faultproxy.run,
              "harness": harness.run, "load": load_generator.run, "suite": suite.run,
              "contract": contract.run}


def _missed(figures: dict) -> list[str]:
    """Returns the benchmarks whose recorded figures miss their target."""
    missed = []
    for name, result in figures.items():
        for part in result.values():
            if isinstance(part, dict) and part.get("meets_target") is False:
                missed.append(name)
        if result.get("meets_target") is False:
            missed.append(name)
    return missed


def main(argv: list[str]) -> int:
    dry = "--dry" in argv
    names = [a for a in argv if a != "--dry"] or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"bench: error: unknown benchmark {unknown[0]!r}; known: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    if dry:
        print(json.dumps({name: BENCHMARKS[name](dry=True) for name in names}, indent=2))
        return 0
    figures = {name: BENCHMARKS[name]() for name in names}
    record = {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "machine": {"cpus": os.cpu_count(), "python": platform.python_version()}, "figures": figures}
    RESULTS.mkdir(exist_ok=True)
    for name, result in figures.items():
        (RESULTS / f"{name}.json").write_text(json.dumps({**record, "figures": {name: result}}, indent=2) + "\n")
    print(json.dumps(record, indent=2))
    print(f"recorded in {RESULTS}/")
    missed = _missed(figures)
    if missed:
        print(f"bench: targets missed: {', '.join(missed)}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
