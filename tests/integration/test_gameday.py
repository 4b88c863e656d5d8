"""`drill gameday` driven through a terminal, as a person on a game day would: the
runbook section, the URLs, a pause before each phase, each check's verdict as its
phase ends, the live report; and Ctrl-C at a pause heals, cleans up and exits 130."""

import json
import re
import sys
from pathlib import Path

import pexpect

from runbook_drill.harness.engine.resources import RUN_ID, leftovers

ROOT = Path(__file__).resolve().parents[2]
PROMPT = r"press Enter to ([a-z ]+) \(Ctrl-C"
SEEN = "error rate flat on the Prometheus graph; would follow Health Checks step 1"


def _gameday(*args: str) -> pexpect.spawn:
    return pexpect.spawn(sys.executable, ["-m", "runbook_drill", "gameday", *args], cwd=str(ROOT),
                         encoding="utf-8", timeout=180, dimensions=(50, 200))


def test_a_walk_through_pauses_before_each_phase_and_shows_the_verdicts(session):
    child = _gameday("health-baseline")
    child.expect("The runbook, section 'Health Checks'")
    child.expect(r"### Liveness Probe\s+- Endpoint: `GET /health/live`")  # the sub-sections: the probes
    child.expect(r"### Readiness Probe\s+- Endpoint: `GET /health/ready`")
    child.expect(r"load balancer: +http://127\.0\.0\.1:\d+")
    child.expect(r"\] game day health-baseline: setup: observers and load")  # the progress lines name it
    phases = []
    for _ in range(4):
        child.expect(PROMPT)
        phases.append(child.match.group(1))
        child.sendline(SEEN if phases[-1] == "remediate" else "")
        child.expect(r"live report updated: (file://\S+)")
    assert phases == ["steady state", "inject the fault", "remediate", "recovery"]
    child.expect(r"PASSED: health-baseline; report (\S+); the day's record (\S+)")
    report, summary = ROOT / child.match.group(1), ROOT / child.match.group(2)
    child.expect(pexpect.EOF)
    final_verdicts = child.before
    child.close()
    assert child.exitstatus == 0
    assert re.search(r"PASS +error rate < 1\.0%", final_verdicts)
    assert "health-baseline" in report.read_text() and "Plotly.newPlot" in report.read_text()
    journal = json.loads((report.parent / "journal" / "health-baseline.json").read_text())
    (seen,) = [e for e in journal["history"]["events"] if e["kind"] == "observation"]
    assert seen["data"] == {"text": SEEN, "before": "remediation"} and journal["start"] < seen["t"] < journal["end"]
    assert f"before remediation: {SEEN}" in report.read_text()  # on the scenario's timeline
    assert f"before remediation: {SEEN}" in summary.read_text() and "**passed**" in summary.read_text()


def test_ctrl_c_at_a_pause_heals_cleans_up_and_exits_130(session):
    child = _gameday("db-refused")
    child.expect(PROMPT)
    child.sendline("")
    child.expect(PROMPT)  # before the injection
    child.sendline("")
    child.expect(PROMPT)  # the fault is in place now: remediation next
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130, child.before[-2000:]
    assert leftovers(session.client) == leftovers(session.client, RUN_ID)  # the game day's stack is gone
