"""The kill switch: `drill abort [--run ID]` from another terminal - or a file named in
the settings (`abort_file`, for CI) - makes the running run or game day heal everything
and stop (exit 130), its journal saying who aborted it.

A run registers itself (its id and pid) in the state directory while it runs. An abort
writes who asked beside that entry and sends the run SIGUSR1, which raises Aborted in
its main thread (harness.signals): every context manager unwinds as on Ctrl-C, the
faults healed first. The abort file is watched by a thread that does the same to its
own process."""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import signal
import socket
import threading
import time
from pathlib import Path
from typing import Iterator

from runbook_drill.harness import signals
from runbook_drill.harness.errors import ConfigError

WATCH_S = 0.2  # how often the abort file is looked for: well inside the 2 s promised


def _registry(state_dir: Path) -> Path:
    return state_dir / "runs"


@contextlib.contextmanager
def running(state_dir: Path, run_id: str, abort_file: Path | None = None) -> Iterator[None]:
    """Registers this process as the running `run_id` (and watches `abort_file`) until
    the block ends; the kill switch then raises signals.Aborted in the main thread."""
    registry = _registry(state_dir)
    registry.mkdir(parents=True, exist_ok=True)
    entry = registry / f"{run_id}.json"
    entry.write_text(json.dumps({"run_id": run_id, "pid": os.getpid(), "started": time.time()}))
    signals.on_abort(lambda: _who(registry / f"{run_id}.abort", abort_file))
    stop = threading.Event()
    if abort_file is not None:
        threading.Thread(target=_watch, args=(abort_file, stop), daemon=True, name="abort-file").start()
    try:
        yield
    finally:
        stop.set()
        for path in (entry, registry / f"{run_id}.abort"):
            path.unlink(missing_ok=True)


def _watch(abort_file: Path, stop: threading.Event) -> None:
    """Pulls the kill switch of this process once `abort_file` exists."""
    while not stop.wait(WATCH_S):
        if abort_file.exists():
            os.kill(os.getpid(), signal.SIGUSR1)
            return


def _who(request: Path, abort_file: Path | None) -> str:
    """Returns who pulled the kill switch: the `drill abort` request, else the file."""
    try:
        return json.loads(request.read_text())["by"]
    except (OSError, ValueError, KeyError):
        pass
    if abort_file is not None and abort_file.exists():
        said = abort_file.read_text(errors="replace").strip().splitlines()[:1]
        return f"the abort file {abort_file}" + (f" ({said[0][:200]})" if said else "")
    return "a SIGUSR1 signal"


def live_runs(state_dir: Path) -> list[dict]:
    """Returns the registered runs whose process is alive (a dead one's entry is removed)."""
    runs = []
    for entry in sorted(_registry(state_dir).glob("*.json")):
        try:
            run = json.loads(entry.read_text())
            os.kill(run["pid"], 0)
            runs.append(run)
        except ProcessLookupError:
            entry.unlink(missing_ok=True)
        except (OSError, ValueError, KeyError):
            continue
    return runs


def request(state_dir: Path, run_id: str | None = None, by: str | None = None) -> list[str]:
    """Aborts the running run `run_id` (None: the one running); returns the ids asked.
    Raises ConfigError when none runs, `run_id` is not running, or several run and none
    was named."""
    runs = live_runs(state_dir)
    if run_id is not None:
        runs = [r for r in runs if r["run_id"] == run_id]
        if not runs:
            raise ConfigError(f"--run {run_id}: no such run is running (see `drill abort --list`)")
    if not runs:
        raise ConfigError("no run or game day is running here")
    if len(runs) > 1:
        raise ConfigError(f"{len(runs)} runs are running ({', '.join(r['run_id'] for r in runs)}): name one with --run")
    (run,) = runs
    by = by or f"drill abort ({getpass.getuser()}@{socket.gethostname()}, pid {os.getpid()})"
    (_registry(state_dir) / f"{run['run_id']}.abort").write_text(json.dumps({"by": by, "at": time.time()}))
    os.kill(run["pid"], signal.SIGUSR1)
    return [run["run_id"]]
