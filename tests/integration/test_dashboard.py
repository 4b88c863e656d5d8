"""The dashboard line proved for real: a High Error Rate scenario evaluates the dashboard's
error panels against the stack's Prometheus - the generated dashboard shows the pattern
(under its line at steady state, over it under the fault) and lands in the run directory;
a team dashboard whose error panel queries a metric the service does not export shows
nothing, and the scenario fails on that check."""

import json
import subprocess
import sys
from pathlib import Path

from runbook_drill.harness.alerts import dashboard
from runbook_drill.harness.runbook import RUNBOOK, Runbook

DRILL = str(Path(sys.executable).parent / "drill")
SCENARIO = "errors-invalid-tokens"


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([DRILL, "run", SCENARIO, *args], cwd=cwd, capture_output=True, text=True, timeout=600,
                          stdin=subprocess.DEVNULL)


def _verdicts(cwd: Path) -> dict[str, str]:
    record = json.loads((cwd / "reports" / "latest" / "journal" / f"{SCENARIO}.json").read_text())
    return {v["check"]: v["status"] for v in record["verdicts"] if "dashboard panel" in v["check"]}


def test_the_generated_dashboards_error_panels_show_the_pattern_and_it_is_kept_with_the_run(session, tmp_path):
    done = _run(tmp_path)
    assert done.returncode == 0, done.stdout[-3000:]
    assert _verdicts(tmp_path) == {"dashboard panel 'Error rate' shows under 0.01": "pass",
                                   "dashboard panel 'Error rate by status' shows under 0.01": "pass",
                                   "dashboard panel 'Error rate' shows over 0.01": "pass",
                                   "dashboard panel 'Error rate by status' shows over 0.01": "pass"}
    kept = json.loads((tmp_path / "reports" / "latest" / "dashboard.json").read_text())
    assert kept["uid"] == dashboard.UID


def test_a_dashboard_whose_error_panel_queries_the_wrong_metric_fails_the_check(session, tmp_path):
    model = json.loads(json.dumps(dashboard.build(Runbook(RUNBOOK))).replace("http_requests_errors_total",
                                                                               "http_errors_total"))
    (tmp_path / "wrong.json").write_text(json.dumps(model))
    done = _run(tmp_path, "--dashboard", "wrong.json")
    assert done.returncode == 1, done.stdout[-3000:]
    assert _verdicts(tmp_path)["dashboard panel 'Error rate' shows over 0.01"] == "fail"
