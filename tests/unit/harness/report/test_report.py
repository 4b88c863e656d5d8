"""Reports from journals: the runbook coverage and JUnit XML."""

import xml.etree.ElementTree as ET

from runbook_drill import scenarios
from runbook_drill.harness.report import coverage, junit
from runbook_drill.harness.runbook import RUNBOOK, Runbook
from tests.support.journals import record_of


def test_every_line_of_the_projects_runbook_is_proved_equivalent_or_explained():
    rows = coverage.rows(Runbook(), scenarios.build(Runbook()))
    assert len(rows) == len(Runbook().lines)
    assert [r for r in rows if r.kind == "not-covered"] == []
    kinds = {r.text.strip(): r.kind for r in rows}
    assert kinds["1. **Primary On-Call**: Platform Team (auto-paged)"] == "proved"  # pages reach the receiver
    assert kinds["2. **Secondary**: Engineering Manager (manual page if >30min)"] == "not-checkable"
    assert kinds["3. **Executive**: CTO (manual page if customer-impacting >1hr)"] == "not-checkable"
    assert kinds["helm rollback user-api -n production"] == "equivalent"
    assert kinds['**Symptoms**: 500 errors, logs show "connection refused"'] == "proved"


def test_a_claim_added_to_the_runbook_shows_as_not_covered(tmp_path):
    path = tmp_path / "runbook.md"
    path.write_text(RUNBOOK.read_text().replace("- Rate limiting triggered\n",
                                                "- Rate limiting triggered\n- Disk full on the database\n"))
    rows = coverage.rows(Runbook(path), scenarios.build(Runbook(path)))
    assert [r.text.strip() for r in rows if r.kind == "not-covered"] == ["- Disk full on the database"]


def _record(status, verdicts, error=""):
    return record_of(scenario="db-refused", runbook="Database Connection Failures", status=status, error=error,
                     start=0.0, end=12.5, proves=['L67: **Symptoms**: 500 errors, logs show "connection refused"'],
                     verdicts=verdicts)


def test_junit_has_one_testcase_per_scenario_and_a_failure_names_line_check_window_expected_observed():
    failed = _record("failed", [{"check": "500 rate > 1.0%", "status": "fail",
                                 "evidence": {"window": "fault_steady", "error_rate": 0.0, "answered": 120}}])
    errored = _record("error", [], error="FaultNotApplied: toxic missing")
    passed = _record("passed", [{"check": "x", "status": "pass", "evidence": {}}])
    suite = ET.fromstring(junit.render([failed, errored, passed]).split("?>", 1)[1])
    assert suite.get("tests") == "3" and suite.get("failures") == "1" and suite.get("errors") == "1"
    failure = suite.findall("testcase")[0].find("failure")
    message = failure.get("message")
    assert 'L67: **Symptoms**: 500 errors' in message and "check: 500 rate > 1.0% (window: fault_steady)" in message
    assert "expected:" in message and '"error_rate": 0.0' in message
    assert suite.findall("testcase")[1].find("error").get("message").startswith("FaultNotApplied")


def test_a_scenario_that_failed_to_run_leads_with_its_error_before_the_checks_it_left_undecided():
    undecided = [{"check": "p99 latency > 500 ms", "status": "unknown",
                  "evidence": {"reason": "no 'fault_steady' window was recorded"}}]
    errored = _record("error", undecided, error="HarnessError: replica 1 not ready within 60s\ntraceback")
    message, details = junit.failure_text(errored)
    assert message.startswith("error: HarnessError: replica 1 not ready within 60s | runbook: L67")
    assert "traceback" not in message and "no 'fault_steady' window" in details


def test_an_unknown_verdict_is_a_junit_failure_never_a_pass():
    unknown = _record("unknown", [{"check": "p99 latency > 500 ms", "status": "unknown",
                                   "evidence": {"reason": "12 requests (< 100)"}}])
    suite = ET.fromstring(junit.render([unknown]).split("?>", 1)[1])
    assert suite.find("testcase").find("failure") is not None


ADDED_SECTION = "## Disk Pressure\n\n**Symptoms**: 507 errors\n\n- Database volume full\n\n"
ADDED_METRIC = "- `redis_hits_total` - Cache hit rate\n- `cache_evictions_total` - Keys evicted\n"


def _with_additions(tmp_path):
    text = RUNBOOK.read_text().replace("## Escalation Path", ADDED_SECTION + "## Escalation Path")
    path = tmp_path / "runbook.md"
    path.write_text(text.replace("- `redis_hits_total` - Cache hit rate\n", ADDED_METRIC))
    return Runbook(path)


def test_an_added_section_is_not_covered_and_an_added_metric_is_proved_by_the_metrics_scenario(tmp_path):
    book = _with_additions(tmp_path)
    table = coverage.rows(book, scenarios.build(book))
    assert [r.text for r in table if r.kind == "not-covered"] == ["**Symptoms**: 507 errors", "- Database volume full"]
    (metric,) = [r for r in table if "cache_evictions_total" in r.text]
    assert metric.kind == "proved" and "metrics-contract" in metric.detail
    assert [r.line for r in coverage.uncovered(book, scenarios.build(book))] == [r.line for r in table
                                                                                 if r.kind == "not-covered"]


NEAR_PASS = {"check": "p99 latency < 500 ms", "status": "pass",
             "evidence": {"window": "recovery", "p99_ms": 431.0, "bound": {"figure": "p99_ms", "op": "<", "value": 500}}}


def test_junit_carries_each_checks_margin_as_a_property_and_counts_the_marginal_ones():
    suite = ET.fromstring(junit.render([_record("passed", [NEAR_PASS])]).split("?>", 1)[1])
    properties = {p.get("name"): p.get("value") for p in suite.find("testcase").find("properties")}
    assert properties["marginal checks"] == "1"
    assert properties["margin: p99 latency < 500 ms"] == "pass: 431 vs 500 (1.16x) marginal"


def test_the_markdown_summary_names_a_marginal_pass_and_counts_it():
    from runbook_drill.harness.report import summary

    text = summary.render([_record("passed", [NEAR_PASS])], "run", {})
    assert "1 marginal check(s) among the passes" in text and "marginal: p99 latency < 500 ms: 431 vs 500" in text
