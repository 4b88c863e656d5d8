"""Every benchmark starts here in its dry mode (`python -m bench --dry NAME`: a second
or so of work, nothing recorded): a benchmark that cannot run on a clean checkout - a
missing dependency, a helper it imports from the tests - fails `make test`, not the
next person who runs `make bench`. Its speed is judged only by `make bench`."""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from bench.__main__ import BENCHMARKS, RESULTS

ROOT = Path(__file__).resolve().parents[2]


def _bench(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bench", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def _left_in_tmp() -> set[Path]:
    return set(Path(tempfile.gettempdir()).glob("drill-bench-*"))


def _recorded() -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in RESULTS.glob("*.json")} if RESULTS.exists() else {}


@pytest.mark.parametrize("name", list(BENCHMARKS))
def test_each_benchmark_runs_in_its_dry_mode_and_records_and_leaves_nothing(session, name):
    before, files_before = _recorded(), _left_in_tmp()
    done = _bench("--dry", name)
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout)
    assert list(figures) == [name] and figures[name], done.stdout[-2000:]
    assert _recorded() == before and _left_in_tmp() == files_before


def test_an_unknown_benchmark_is_one_line_and_exit_2_with_nothing_run():
    done = _bench("--dry", "nope", timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [f"bench: error: unknown benchmark 'nope'; known: {', '.join(BENCHMARKS)}"]
