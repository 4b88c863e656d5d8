"""A run stopped mid-scenario by SIGTERM or Ctrl-C still heals its fault, removes its
containers and network, and exits 143/130 - also when it was launched with SIGINT
ignored (a background job of a non-interactive shell, as CI systems launch commands);
its journal records the heal."""

import json
import selectors
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from runbook_drill.harness.engine.resources import RUN_ID, leftovers

ROOT = Path(__file__).resolve().parents[2]


def _wait_for_line(proc, expected: str, timeout: float) -> list[str]:
    seen = []
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        while selector.select(timeout=timeout):
            line = proc.stdout.readline()
            if not line:
                break
            seen.append(line.strip())
            if line.strip() == expected:
                return seen
    proc.kill()
    raise AssertionError(f"never printed {expected!r}; saw {seen}; stderr: {proc.stderr.read()[-2000:]}")


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # what `cmd &` in a non-interactive shell does


@pytest.mark.parametrize("signum,inherited,code", [
    (signal.SIGTERM, "default", 143), (signal.SIGINT, "default", 130), (signal.SIGINT, "ignored", 130),
], ids=["SIGTERM", "SIGINT", "SIGINT-inherited-as-ignored"])
def test_a_signal_mid_scenario_heals_the_fault_removes_everything_and_exits_with_its_code(
        session, tmp_path, signum, inherited, code):
    proc = subprocess.Popen([sys.executable, "-m", "tests.support.scenario_run", str(tmp_path)], cwd=ROOT,
                            text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=_ignore_sigint if inherited == "ignored" else None)
    _wait_for_line(proc, "injected", 120)
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=120)
    assert "healed" in out, err[-2000:]
    assert "clean exit" not in out  # it was interrupted, not finished
    assert proc.returncode == code, err[-2000:]
    journal = json.loads((tmp_path / "interrupted.json").read_text())
    assert journal["status"] == "error"
    assert journal["activities"][-1]["name"] == "final heal dependency_latency"
    # Nothing of the child's run is left; only this test process's own resources may be.
    assert leftovers(session.client) == leftovers(session.client, RUN_ID)
