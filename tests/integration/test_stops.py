"""Stop conditions on the real stack: a bound the fault exceeds (db-refused's 500s held
longer than allowed) heals within 2 s of tripping, the recovery is still watched, and
the scenario is aborted - exit 4, in the journal with its evidence and in JUnit; a
bound the fault stays under changes nothing."""

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from runbook_drill import scenarios
from runbook_drill.harness.run import stops
from runbook_drill.harness.run.runner import run_scenario
from runbook_drill.harness.runbook import Runbook
from runbook_drill.harness.stack import Stack
from runbook_drill.scenarios.common import stack_config

ROOT = Path(__file__).resolve().parents[2]
HEAL_WITHIN_S = 2.0


def test_a_bound_the_fault_exceeds_heals_within_2s_and_the_scenario_is_aborted_exit_4(session, tmp_path):
    junit = tmp_path / "junit.xml"
    done = subprocess.run([sys.executable, "-m", "runbook_drill", "run", "db-refused", "--stop-when", "error_rate>20% for 2s",
                           "--junit", str(junit)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 4, done.stdout[-2000:] + done.stderr[-2000:]
    run_dir = ROOT / done.stdout.split("journals: ", 1)[1].split(";", 1)[0].strip()
    record = json.loads((run_dir / "db-refused.json").read_text())
    assert record["status"] == "aborted" and record["stop"]["condition"] == "error_rate>20% for 2s"
    assert min(record["stop"]["figures"]) > 0.2, record["stop"]
    heal = next(a for a in record["activities"] if a["name"].startswith("final heal"))
    assert heal["end"] - record["stop"]["at"] <= HEAL_WITHIN_S, (heal, record["stop"])
    assert "recovery" in record["history"]["windows"]  # watched after the heal
    case = ET.parse(junit).getroot().find("testcase")
    assert case.find("failure").get("type") == "aborted"


def test_a_bound_the_fault_stays_under_changes_nothing(session, tmp_path):
    runbook = Runbook()
    scenario = next(s for s in scenarios.build(runbook) if s.id == "db-refused")
    conditions = stops.for_scenario(runbook, scenario, [stops.parse("p99>5s for 5s")])
    with Stack(session, stack_config()) as stack:
        record = run_scenario(stack, scenario, tmp_path, conditions=conditions)
    assert record.status == "passed" and record.stop is None, record.stop or record.error
