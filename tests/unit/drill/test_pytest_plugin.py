"""The pytest plugin without a stack: what it collects and how it is selected, bad input
as a usage error before anything starts, and what a scenario that did not pass says.
(Running the items for real: tests/integration/test_installed.py.)"""

import subprocess
import sys
from pathlib import Path

from runbook_drill.pytest_plugin import explain, section_marker
from runbook_drill.harness.run.scenario import Scenario
from tests.support.journals import record_of

ROOT = Path(__file__).resolve().parents[3]
TEAM = ROOT / "examples" / "team-scenarios"


def _pytest(tmp_path, *args) -> subprocess.CompletedProcess:
    """Runs pytest in an empty project outside the checkout (the plugin comes from the
    installed distribution's pytest11 entry point, not from a conftest)."""
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q", *args],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DRILL_CONFIG": str(tmp_path / "x")})


def test_a_section_is_a_marker_of_identifier_characters():
    assert section_marker("Health Checks") == "health_checks"
    assert section_marker("High Latency (p99 >500ms)") == "high_latency_p99_500ms"


def test_the_suite_is_collected_one_item_per_scenario_under_its_section_and_marks_select(tmp_path):
    done = _pytest(tmp_path, "--drill-user-api-image", "bundled", "-m", "health_checks")
    items = [line for line in done.stdout.splitlines() if "::" in line]
    assert done.returncode == 0 and len(items) == 5 and all(i.startswith("runbook/health_checks::") for i in items)
    assert "5/33 tests collected (28 deselected)" in done.stdout
    keyword = _pytest(tmp_path, "--drill-user-api-image", "bundled", "-k", "db and not pool")
    assert "runbook/database_connection_failures::db-refused" in keyword.stdout


def test_a_teams_scenarios_and_runbook_copy_are_collected_with_the_built_in_ones(tmp_path):
    done = _pytest(tmp_path, "--drill-user-api-image", "bundled", "--drill-runbook", str(TEAM / "runbook.md"),
                   "--drill-scenarios", str(TEAM), "-m", "auth_service_slow or recent_incidents")
    assert "runbook/auth_service_slow::auth-slow-beyond-timeout" in done.stdout
    assert "runbook/recent_incidents::incident-db-restart-heals-itself" in done.stdout, done.stdout + done.stderr


def test_a_section_given_by_its_heading_words_selects_as_drill_run_does(tmp_path):
    done = _pytest(tmp_path, "--drill-user-api-image", "bundled", "--drill-section", "Health Checks")
    assert "5 tests collected" in done.stdout


def test_bad_input_is_a_usage_error_naming_it_and_nothing_is_collected(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "x"\n')
    done = _pytest(tmp_path, "--drill-user-api-image", "bundled", "--drill-scenarios", str(bad))
    assert done.returncode == 4 and f"runbook-drill: {bad}:1: (file): 'section' is required" in done.stderr


def test_without_an_image_the_plugin_adds_nothing(tmp_path):
    done = _pytest(tmp_path)
    assert done.returncode == 5 and "runbook/" not in done.stdout  # no tests: pytest's own "none collected"


def test_a_failed_scenario_says_the_runbook_line_the_check_what_was_expected_and_seen():
    scenario = Scenario(id="health-redis-down", runbook="Health Checks", fault=lambda: None, during=[],
                        proves=["L118: - Checks: Database connectivity, Redis connectivity"])
    record = record_of(status="failed", verdicts=[
        {"check": "the service /health/ready fails (>= 95% of probes)", "status": "fail",
         "evidence": {"window": "fault", "share": 0.0, "probes": 24,
                      "bound": {"figure": "share", "op": ">=", "value": 0.95}}},
        {"check": "lb /health/ready answers 200", "status": "pass", "evidence": {}}])
    said = explain(scenario, record).splitlines()
    assert said[:3] == ["health-redis-down (Health Checks): failed",
                        "  runbook L118: - Checks: Database connectivity, Redis connectivity",
                        "  check: the service /health/ready fails (>= 95% of probes) [fail]"]
    assert said[3:5] == ["    expected: share >= 0.95", "    seen: share = 0.0"] and len(said) == 6


FAKE_RUNS = '''
from runbook_drill import pytest_plugin
from tests.support.journals import record_of

STATUS = {"health-baseline": "passed", "health-db-down": "failed", "health-redis-down": "unknown",
          "health-replica-unready": "error", "health-app-frozen": "aborted"}

def run(self, scenario):  # the stack faked: each scenario's verdict as given
    return record_of(scenario=scenario.id, status=STATUS[scenario.id], error="harness: boom")

pytest_plugin.DrillSession.run = run
'''


def test_failed_is_a_failure_and_unknown_error_and_aborted_are_errors_never_passes(tmp_path):
    import xml.etree.ElementTree as ElementTree

    (tmp_path / "conftest.py").write_text(FAKE_RUNS)
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--drill-user-api-image",
                           "bundled", "-m", "health_checks", "--junitxml", "out.xml"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT),
                               "DRILL_CONFIG": str(tmp_path / "x")})
    assert done.returncode == 1 and "1 failed, 1 passed, 28 deselected, 3 errors" in done.stdout, done.stdout[-2000:]
    cases = {c.get("name"): c for c in ElementTree.parse(tmp_path / "out.xml").getroot().iter("testcase")}
    assert len(cases) == 5 and cases["health-db-down"].find("failure") is not None
    assert all(cases[i].find("error") is not None for i in ("health-redis-down", "health-replica-unready",
                                                            "health-app-frozen"))
    assert cases["health-db-down"].get("classname") == "runbook.health_checks"
    properties = {(p.get("name"), p.get("value")[:4]) for p in cases["health-db-down"].iter("property")}
    assert ("status", "fail") in properties and ("runbook", "L118") in properties
