"""Each scenario fails for the right reason against a service where what it guards is
broken: the three Recent Incidents re-introduced (REGRESSIONS, and a pool too small for
the load), patched copies of the User API built with `drill build user-api --source`
and run as candidates with `drill run --user-api-image`, and the runbook itself edited
through `drill run --runbook`."""

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import docker.errors
import pytest

from runbook_drill import scenarios
from runbook_drill.harness.runbook import RUNBOOK, Runbook
from runbook_drill.harness.run.runner import run_scenario
from runbook_drill.harness.stack import Stack
from runbook_drill.scenarios.common import stack_config

ROOT = Path(__file__).resolve().parents[2]
BY_ID = {s.id: s for s in scenarios.build(Runbook())}


def _failing_checks(record) -> list[str]:
    return [v.check for v in record.verdicts if v.status == "fail"]


@pytest.mark.parametrize("sid, env, failing", [
    ("incident-n-plus-one", {"REGRESSIONS": "n_plus_one"}, "p99 latency of GET /users < 500 ms"),
    ("incident-connection-leak", {"REGRESSIONS": "connection_leak"}, "error rate < 1.0%"),
    ("incident-pool-exhaustion", {"DB_POOL_MAX": "2", "DB_POOL_MIN": "1"},
     "the service db_connection_pool_timeouts_total stays"),
], ids=["n-plus-one", "connection-leak", "pool-too-small"])
def test_a_recent_incident_reintroduced_fails_its_regression_scenario(session, tmp_path, sid, env, failing):
    with Stack(session, stack_config(user_api_env=env)) as stack:
        record = run_scenario(stack, BY_ID[sid], tmp_path)
    assert record.status == "failed", record.verdicts
    assert failing in _failing_checks(record)


def _drill(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "runbook_drill", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def _patched_copy(tmp_path: Path, path: str, old: str, new: str) -> Path:
    source = tmp_path / "candidate"
    shutil.copytree(ROOT / "services", source / "services", ignore=shutil.ignore_patterns("__pycache__"))
    target = source / "services" / path
    text = target.read_text()
    assert old in text, f"the patch no longer applies to {path}: {old!r}"
    target.write_text(text.replace(old, new))
    return source


@pytest.mark.parametrize("name, path, old, new, sid, failing", [
    ("readiness-ignores-redis", "user_api/app.py", 'checks = {"database": database, "redis": redis_check}',
     'checks = {"database": database}', "health-redis-down", "/health/ready fails"),
    ("500-instead-of-401", "user_api/app.py", 'return _error(401, {"error": "invalid token"',
     'return _error(500, {"error": "invalid token"', "auth-clock-skew", "401 rate > 1.0%"),
    ("renamed-metric", "user_api/metrics.py", 'Counter("redis_hits_total"', 'Counter("cache_hits_total"',
     "metrics-contract", "redis_hits_total"),
])
def test_a_candidate_built_from_a_patched_copy_fails_the_scenario_that_guards_it(
        session, tmp_path, name, path, old, new, sid, failing):
    tag = f"runbook-drill/user-api:variant-{name}"
    source = _patched_copy(tmp_path, path, old, new)
    try:
        built = _drill("build", "user-api", "--source", str(source), "--tag", tag)
        assert built.returncode == 0, built.stderr[-2000:]
        junit = tmp_path / "junit.xml"
        run = _drill("run", sid, "--user-api-image", tag, "--junit", str(junit))
        assert run.returncode == 1, run.stdout[-2000:] + run.stderr[-2000:]
        assert f"FAILED   {sid}" in run.stdout
        # The scenario's own failure; a runbook line the pre-flight found unmet is a case of its own.
        failures = [f.get("message") or "" for case in ET.parse(junit).getroot().iter("testcase")
                    if case.get("name") == sid for f in case.iter("failure")]
        assert failures and failing in failures[0], failures
    finally:
        try:
            session.client.images.remove(tag, force=True)
        except docker.errors.ImageNotFound:
            pass


def test_a_threshold_edited_in_a_copy_of_the_runbook_changes_the_verdict(tmp_path):
    edited = tmp_path / "runbook.md"
    edited.write_text(RUNBOOK.read_text().replace("High Latency (p99 >500ms)", "High Latency (p99 >1ms)"))
    run = _drill("run", "health-baseline", "--runbook", str(edited))
    assert run.returncode == 1, run.stdout[-2000:] + run.stderr[-2000:]
    assert "p99 latency < 1 ms" in run.stdout
    page = ROOT / run.stdout.split("report: ", 1)[1].split(";", 1)[0]
    assert "p99 latency &lt; 1 ms" in page.read_text() and "runbook p99 1 ms" in page.read_text()
    assert "(p99 >1ms)" in (page.parent / "runbook.md").read_text()  # the run's own copy, for re-rendering


def test_a_metric_added_to_the_runbook_is_checked_and_an_added_section_counted_as_unproved(tmp_path):
    text = RUNBOOK.read_text().replace("- `redis_hits_total` - Cache hit rate\n", "- `redis_hits_total` - Cache hit "
                                       "rate\n- `cache_evictions_total` - Keys evicted\n")
    edited = tmp_path / "runbook.md"
    edited.write_text(text.replace("## Escalation Path", "## Disk Pressure\n\n- Database volume full\n\n"
                                   "## Escalation Path"))
    run = _drill("run", "metrics-contract", "--runbook", str(edited), "--strict-coverage")
    assert run.returncode == 1, run.stdout[-2000:] + run.stderr[-2000:]
    failed = [line for line in run.stdout.splitlines() if line.startswith("FAILED")]
    assert len(failed) == 1 and "cache_evictions_total" in failed[0]  # the bundled service does not export it
    assert "coverage: 1 checkable runbook line(s) no scenario proves" in run.stdout
    assert "- Database volume full" in run.stdout.split("coverage: ", 1)[1]


def test_a_candidate_image_that_does_not_exist_is_exit_2_with_nothing_started(session, tmp_path):
    from runbook_drill.harness.engine.resources import RUN_ID, leftovers

    run = _drill("run", "health-baseline", "--user-api-image", "runbook-drill/user-api:no-such-build", timeout=120)
    assert run.returncode == 2 and "no such image" in run.stderr
    assert leftovers(session.client) == leftovers(session.client, RUN_ID)


def test_release_validation_names_the_verdict_a_candidate_with_an_incident_lost(session, tmp_path):
    tag = "runbook-drill/user-api:variant-release-n-plus-one"
    source = _patched_copy(tmp_path, "user_api/config.py", 'Var("REGRESSIONS", str, "",',
                           'Var("REGRESSIONS", str, "n_plus_one",')
    try:
        built = _drill("build", "user-api", "--source", str(source), "--tag", tag)
        assert built.returncode == 0, built.stderr[-2000:]
        baseline = session.images.resolve("user-api").ref
        run = _drill("run", "incident-n-plus-one", "health-baseline", "--user-api-image", tag,
                     "--baseline-image", baseline, timeout=900)
        assert run.returncode == 1, run.stdout[-3000:] + run.stderr[-2000:]
        assert "WORSE    incident-n-plus-one" in run.stdout and "passed -> failed" in run.stdout
        assert "SAME     health-baseline" in run.stdout and "fault p99" in run.stdout
        run_dir = ROOT / run.stdout.split("comparison: ", 1)[1].strip().rsplit("/", 1)[0]
        rows = {r["scenario"]: r for r in json.loads((run_dir / "comparison.json").read_text())}
        assert rows["incident-n-plus-one"]["change"] == "worse"
        assert rows["incident-n-plus-one"]["candidate"]["fault_p99_ms"] > rows["incident-n-plus-one"]["baseline"][
            "fault_p99_ms"]
        assert (run_dir / "baseline" / "index.html").exists() and (run_dir / "candidate" / "index.html").exists()
    finally:
        try:
            session.client.images.remove(tag, force=True)
        except docker.errors.ImageNotFound:
            pass
