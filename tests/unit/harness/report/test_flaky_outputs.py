"""A flaky scenario in every reader: JUnit (a failure of type flaky, or Surefire's
flakyFailure when let through), the report page and the Markdown summary."""

import xml.etree.ElementTree as ET

from runbook_drill.harness.report import compare, html, junit, summary
from runbook_drill.harness.runbook import Runbook
from tests.support.journals import journal


def _flaky():
    record = journal("db-refused", status="flaky")
    record.attempts = [{"attempt": 1, "status": "failed", "deciding": "error rate > 5% [fail] {'rate': 0.0}",
                           "journal": "attempts/db-refused.1.json", "start": 1.0, "end": 2.0}]
    return record


def test_a_flaky_scenario_is_a_junit_failure_of_type_flaky_naming_its_attempt():
    case = ET.fromstring(junit.render([_flaky(), journal("health-db-down")]).split("?>", 1)[1]).find("testcase")
    failure = case.find("failure")
    assert failure.get("type") == "flaky" and "attempt 1 failed" in failure.get("message")


def test_a_flaky_scenario_let_through_is_a_pass_with_a_flaky_failure():
    suite = ET.fromstring(junit.render([_flaky()], flaky_is_ok=True).split("?>", 1)[1])
    assert suite.get("failures") == "0" and suite.find("testcase/failure") is None
    assert suite.find("testcase/flakyFailure").get("type") == "failed"


def test_the_report_page_shows_the_flaky_verdict_and_the_kept_attempt():
    page = html.render([_flaky()], Runbook(), "t")
    assert '<span class="flk">flaky</span>' in page and "journal/attempts/db-refused.1.json" in page
    assert "1 flaky" in page


def test_the_summary_lists_verdicts_and_what_changed_against_the_baseline():
    base, cand = [journal("db-refused"), journal("health-db-down")], [_flaky(), journal("health-db-down")]
    rows = compare.compare(base, cand, 500.0)
    text = summary.render(cand, "run 1", {"report": "r/index.html"}, rows)
    assert "1 passed, 1 flaky - exit 1" in text and "| `db-refused` | passed | flaky | **worse** |" in text
    assert "- report: `r/index.html`" in text
    assert "No baseline in this run" in summary.render(cand, "run 1", {})
    assert "exit 0" in summary.render(cand, "run 1", {}, flaky_is_ok=True)
