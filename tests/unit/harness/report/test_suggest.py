"""Suggested runbook edits from a run's journals: what the scenarios saw under their
faults that their section does not say, masked and counted, as a patch `git apply`
takes; lines a failed scenario contradicts as findings; nothing from a single sighting."""

import subprocess

from runbook_drill.harness.report import suggest
from runbook_drill.harness.runbook import RUNBOOK, Runbook
from tests.support.journals import START, journal_data, record_of

BOOK = Runbook(RUNBOOK)


def _record(scenario="db-refused", status="passed", logs=(), **overrides):
    data = journal_data(scenario, status)
    data["history"]["events"] += [{"t": START + 12 + i * 0.1, "kind": "log", "source": "replica-0",
                                   "data": {"level": "ERROR", "message": text, "line": f"ERROR {text}"}}
                                  for i, text in enumerate(logs)]
    return record_of(**{**data, **overrides})


def test_a_message_is_masked_of_ids_numbers_tokens_and_addresses():
    said = suggest.masked("user 42 at 10.0.0.7:5432 token=abc.def Bearer eyJa.eyJb.c "
                          "id 3f2a9c0e1b7d44a8 c0ffee00-1234-5678-9abc-def012345678")
    assert said == "user <n> at <address> token=<masked> Bearer <masked> id <id> <uuid>"


def test_what_the_section_does_not_say_is_suggested_and_what_it_says_is_not():
    record = _record(logs=["database connection lost: reset by peer 17", "database connection lost: reset by peer 18",
                           "database connection refused: [Errno 111]", "database connection refused: [Errno 111]",
                           "a one-off line"])
    found = {s.text: s for s in suggest.suggestions([record], BOOK)}
    assert found['logs show "database connection lost: reset by peer <n>"'].seen == 2
    assert 'logs show "a one-off line"' not in found  # seen once: not enough to suggest
    assert not any("connection refused" in text for text in found)  # the section quotes it already
    assert "users get 500 errors" not in found  # "500 errors" is the section's own symptom
    assert found["a replica's readiness answered 503"].seen > 2


def test_the_patch_applies_to_the_runbook_with_git_apply_and_cites_the_journals(tmp_path):
    record = _record(logs=["database connection lost: reset"] * 3)
    failed = _record("down-db-refused", status="failed", runbook="Service is Down", proves=[
        "L16: - Database connection failure → Check PostgreSQL connectivity"])
    text = suggest.patch(BOOK, suggest.suggestions([record, failed], BOOK), suggest.findings([failed], BOOK, []),
                         "reports/run/journal", "runbook/user-api-runbook.md")
    assert text == suggest.patch(BOOK, suggest.suggestions([record, failed], BOOK),
                                 suggest.findings([failed], BOOK, []), "reports/run/journal",
                                 "runbook/user-api-runbook.md")  # deterministic
    assert "reports/run/journal/db-refused.json" in text and "+## Runbook findings (runbook-drill)" in text
    assert "+- L16: - Database connection failure" in text and "contradicted by down-db-refused" in text
    (tmp_path / "runbook").mkdir()
    (tmp_path / "runbook" / "user-api-runbook.md").write_text(RUNBOOK.read_text())
    (tmp_path / "fix.patch").write_text(text)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    done = subprocess.run(["git", "apply", "fix.patch"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    applied = Runbook(tmp_path / "runbook" / "user-api-runbook.md")  # still the runbook: every claim parses
    assert applied.value("threshold.p99_ms") == 500 and "**Also seen**" in applied.section_text(
        "Database Connection Failures")


def test_nothing_seen_twice_and_nothing_failed_is_no_patch():
    assert suggest.patch(BOOK, [], [], "j") == ""


def test_every_unexplained_page_is_a_line_under_its_alerts_section():
    from runbook_drill.harness.alerts.matrix import Cell

    record = _record("auth-clock-skew", runbook="Authentication Failures")
    cells = [Cell("auth-clock-skew", "HighErrorRate", "paged", "no", 4.9)]
    (page,) = [s for s in suggest.suggestions([record], BOOK, cells) if s.unexplained]
    assert page.section.startswith("High Error Rate") and page.text == (
        "HighErrorRate also pages for: Authentication Failures")
    assert "unexplained page; j/auth-clock-skew.json" in page.bullet("j")


def test_the_metric_that_moved_most_is_a_counters_rate_from_steady_state_to_fault():
    from runbook_drill.harness.observe.history import History, Window

    history = History.from_json(_record().history)
    fault = history.windows["fault"]
    assert suggest.moved(history, Window("seen", fault.start, fault.end)) == {
        "http_requests_errors_total went from 0/s to 2/s": 20}
