"""A run stopped mid-scenario by SIGTERM or Ctrl-C still heals its fault and removes
its containers and network; its journal records the heal."""

import json
import selectors
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from harness.resources import RUN_ID, leftovers

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


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_mid_scenario_heals_the_fault_and_removes_everything(session, tmp_path, signum):
    proc = subprocess.Popen([sys.executable, "-m", "tests.support.scenario_run", str(tmp_path)], cwd=ROOT,
                            text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _wait_for_line(proc, "injected", 120)
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=120)
    assert "healed" in out, err[-2000:]
    assert "clean exit" not in out  # it was interrupted, not finished
    journal = json.loads((tmp_path / "interrupted.json").read_text())
    assert journal["status"] == "error"
    assert journal["activities"][-1]["name"] == "final heal dependency_latency"
    # Nothing of the child's run is left; only this test process's own resources may be.
    assert leftovers(session.client) == leftovers(session.client, RUN_ID)
