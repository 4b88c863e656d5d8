"""The kill switch on the real stack: `drill abort` from a second process, during a
fault, stops a game day walked in a terminal (a pty) and a `drill run`; the abort file
of the settings stops a run as CI would. Each heals within 2 s, exits 130, leaves
nothing behind, and its journal says the scenario was aborted and by whom."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pexpect

from runbook_drill.harness.engine.resources import RUN_ID, leftovers
from runbook_drill.harness.polling import wait_until
from runbook_drill.harness.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
DRILL = [sys.executable, "-m", "runbook_drill"]
PROMPT = r"press Enter to ([a-z ]+) \(Ctrl-C"
HEAL_WITHIN_S = 2.0


def _abort(*args: str) -> tuple[float, str]:
    """Pulls the kill switch from a second process; returns (when, the run id asked)."""
    asked = time.time()
    done = subprocess.run([*DRILL, "abort", *args], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return asked, done.stdout.split("asked run ", 1)[1].split()[0]


def _journal(run_id: str, scenario: str) -> dict:
    return json.loads((ROOT / "reports" / run_id / "journal" / f"{scenario}.json").read_text())


def _healed_within(record: dict, asked: float) -> float:
    """Returns the seconds from the abort to the end of the final heal."""
    heals = [a for a in record["activities"] if a["name"].startswith("final heal")]
    assert heals, [a["name"] for a in record["activities"]]
    return max(a["end"] for a in heals) - asked


def _assert_aborted(session, run_id: str, asked: float, by: str) -> None:
    record = _journal(run_id, "db-refused")
    assert record["status"] == "aborted" and by in record["error"], record["error"]
    assert _healed_within(record, asked) <= HEAL_WITHIN_S, record["activities"]
    assert leftovers(session.client) == leftovers(session.client, RUN_ID)  # the run's stack is gone


def test_drill_abort_from_a_second_terminal_stops_a_game_day_during_its_fault(session):
    child = pexpect.spawn(DRILL[0], [*DRILL[1:], "gameday", "db-refused"], cwd=str(ROOT), encoding="utf-8",
                          timeout=180, dimensions=(50, 200))
    child.expect(r"kill switch: +drill abort --run (\S+)")
    for _ in range(2):  # the steady state, then the injection
        child.expect(PROMPT)
        child.sendline("")
    child.expect(PROMPT)  # the fault is in place; remediation next
    asked, run_id = _abort()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130, child.before[-2000:]
    _assert_aborted(session, run_id, asked, "drill abort (")


def _run_until_the_fault(env: dict | None = None) -> subprocess.Popen:
    """Starts `drill run db-refused`; returns once it says the fault is going in."""
    run = subprocess.Popen([*DRILL, "run", "db-refused"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, env={**os.environ, **(env or {})})
    deadline = time.monotonic() + 180
    for line in run.stderr:
        if "fault: dependency_refused" in line or time.monotonic() > deadline:
            break
    return run


def test_drill_abort_from_a_second_process_stops_a_run_during_its_fault(session):
    run = _run_until_the_fault()
    asked, run_id = _abort()
    _, stderr = run.communicate(timeout=60)
    assert run.returncode == 130, stderr[-2000:]
    assert "aborted by drill abort" in stderr
    _assert_aborted(session, run_id, asked, "drill abort (")


def test_the_abort_file_of_the_settings_stops_a_run_during_its_fault(session, tmp_path):
    stop_file = tmp_path / "stop-the-drill"
    run = _run_until_the_fault({"DRILL_ABORT_FILE": str(stop_file)})
    listed = subprocess.run([*DRILL, "abort", "--list"], cwd=ROOT, capture_output=True, text=True, timeout=30)
    run_id = next(line.split()[0] for line in listed.stdout.splitlines() if f"pid {run.pid}" in line)
    asked = time.time()
    stop_file.write_text("the on-call lead\n")
    _, stderr = run.communicate(timeout=60)
    assert run.returncode == 130, stderr[-2000:]
    _assert_aborted(session, run_id, asked, f"the abort file {stop_file} (the on-call lead)")
    registry = load_settings().state_dir / "runs"  # the settings are the same in this process
    assert wait_until(lambda: not (registry / f"{run_id}.json").exists(), 5)
