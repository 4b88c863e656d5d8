"""The flake policy of a suite run: a failed or unknown scenario is run again on a fresh
reset; one that then passes is flaky - never passed - with every attempt's journal kept;
the run still exits 1 unless flaky scenarios are let through."""

import pytest

from runbook_drill.harness.run import journal as journals
from runbook_drill.harness.run import suite
from tests.support.journals import journal, record_of

FAILING = [{"check": "error rate > 5%", "status": "fail", "evidence": {"window": "fault", "rate": 0.0}}]


class Stack:
    def __init__(self):
        self.resets = 0

    def reset(self):
        self.resets += 1


def _runs(monkeypatch, statuses):
    """Makes run_scenario end in `statuses`, one per call, writing each journal."""
    left = list(statuses)

    def run_scenario(stack, scenario, journal_dir, hook=None, conditions=()):
        status = left.pop(0)
        record = journal(scenario.id, status=status, verdicts=FAILING if status != "passed" else None)
        return journals.write(journal_dir, record)

    monkeypatch.setattr(suite, "run_scenario", run_scenario)
    return left


class Scenario:
    id = "db-refused"


@pytest.mark.parametrize("first", ["failed", "unknown"])
def test_a_scenario_that_passes_on_a_rerun_is_flaky_with_its_first_journal_kept(tmp_path, monkeypatch, first):
    _runs(monkeypatch, ["passed"])
    stack, record = Stack(), journal("db-refused", status=first, verdicts=FAILING)
    record = journals.write(tmp_path, record)
    final = suite.rerun(stack, Scenario(), tmp_path, record, reruns=2)
    assert final.status == "flaky" and stack.resets == 1
    assert final.attempts[0]["status"] == first and "error rate > 5%" in final.attempts[0]["deciding"]
    assert journals.read(tmp_path / "attempts" / "db-refused.1.json").status == first
    assert journals.read(tmp_path / "db-refused.json").status == "flaky"


def test_a_scenario_that_keeps_failing_is_failed_after_every_rerun(tmp_path, monkeypatch):
    left = _runs(monkeypatch, ["failed", "failed", "passed"])
    record = journals.write(tmp_path, journal(status="failed", verdicts=FAILING))
    final = suite.rerun(Stack(), Scenario(), tmp_path, record, reruns=2)
    assert final.status == "failed" and len(final.attempts) == 2 and left == ["passed"]


@pytest.mark.parametrize("status", ["passed", "error"])
def test_a_pass_or_a_harness_error_is_not_run_again(tmp_path, monkeypatch, status):
    _runs(monkeypatch, [])
    record = journal(status=status, error="boom" if status == "error" else "")
    stack = Stack()
    assert suite.rerun(stack, Scenario(), tmp_path, record, reruns=3) is record and stack.resets == 0


@pytest.mark.parametrize("statuses, flaky_is_ok, code", [
    (["passed", "flaky"], False, 1), (["passed", "flaky"], True, 0), (["flaky", "failed"], True, 1),
    (["passed", "error"], False, 3), (["passed"], False, 0)])
def test_a_flaky_scenario_fails_the_run_unless_let_through(statuses, flaky_is_ok, code):
    assert suite.exit_code([record_of(status=s) for s in statuses], flaky_is_ok) == code


def test_every_verdict_is_counted_flaky_and_aborted_included():
    counts = suite.counts([record_of(status=s) for s in ("passed", "flaky", "flaky", "unknown", "aborted")])
    assert counts == {"passed": 1, "flaky": 2, "failed": 0, "unknown": 1, "aborted": 1, "error": 0}


def test_an_aborted_scenario_exits_4_unless_one_deviated_and_before_a_harness_error():
    assert suite.exit_code([record_of(status="passed"), record_of(status="aborted")]) == 4
    assert suite.exit_code([record_of(status="aborted"), record_of(status="error")]) == 4
    assert suite.exit_code([record_of(status="aborted"), record_of(status="failed")]) == 1
