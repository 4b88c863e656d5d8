"""The kill matrix judged from journal records: killed only for the documented reason,
a reference failure is a false alarm, the score counts killed mutants; the page and
the JSON say the same."""

import json

from runbook_drill.harness.mutation.matrix import ELSEWHERE, ERROR, KILLED, SURVIVED, UNKNOWN, Matrix, Row, cell, rollout_cell
from runbook_drill.harness.mutation.catalog import Mutant
from runbook_drill.harness.report import mutation
from tests.support.journals import record_of

MUTANT = Mutant(id="ready-skips-redis", violates="claim ready.checks", line="L118: - Checks: ...",
                caught_by=("health-redis-down",), reason="/health/ready answers 503", defect="d", patch="", path=None)


def record(status: str, *failing: str, error: str = ""):
    verdicts = [{"check": name, "status": "fail", "evidence": {"share": 0.0}} for name in failing]
    verdicts.append({"check": "error rate < 1.0%", "status": "pass", "evidence": {}})
    return record_of(scenario="health-redis-down", status=status, verdicts=verdicts, error=error)


def test_a_failure_of_the_documented_check_kills_the_mutant():
    found = cell(MUTANT, record("failed", "replica-* /health/ready answers 503 (>= 95% of probes)"))
    assert found.outcome == KILLED and found.failing[0]["evidence"] == {"share": 0.0}


def test_a_failure_of_another_check_is_a_kill_elsewhere_not_counted():
    assert cell(MUTANT, record("failed", "p99 latency < 500 ms")).outcome == ELSEWHERE


def test_a_pass_survives_an_unknown_is_unknown_and_a_harness_error_is_an_error():
    assert cell(MUTANT, record("passed")).outcome == SURVIVED
    assert cell(MUTANT, record("unknown")).outcome == UNKNOWN
    errored = cell(MUTANT, record("error", error="HarnessError: boom\ntraceback"))
    assert errored.outcome == ERROR and errored.error == "HarnessError: boom"


def _matrix(*outcomes: str, reference: str = "passed") -> Matrix:
    rows = []
    for index, outcome in enumerate(outcomes):
        row = Row(f"m{index}", "L1: x", "d", "r", "img")
        row.cells.append(cell(MUTANT, record("failed", "replica-* /health/ready answers 503")
                              if outcome == KILLED else record("passed")))
        rows.append(row)
    return Matrix(rows=rows, reference={"health-redis-down": reference}, seconds=12.0)


def test_the_score_counts_killed_mutants_and_survivors_are_named():
    matrix = _matrix(KILLED, SURVIVED, KILLED, KILLED)
    assert matrix.score == 0.75 and matrix.survivors() == ["m1"] and not matrix.sound()
    assert _matrix(KILLED, KILLED).sound()


def test_a_reference_failure_is_a_false_alarm_and_the_matrix_is_not_sound():
    matrix = _matrix(KILLED, reference="failed")
    assert matrix.false_alarms == ["health-redis-down"] and not matrix.sound()


def test_a_rollout_that_never_gets_ready_kills_a_mutant_whose_reason_is_readiness():
    renamed = Mutant(**{**vars(MUTANT), "reason": "/health/ready answers 200"})
    row = Row("m", "L1: x", "d", "r", "img", cells=[rollout_cell(renamed, 20, "not ready within 20 s")])
    assert row.killed and row.cells[0].failing[0]["check"].startswith("rollout: every replica's /health/ready")
    other = Mutant(**{**vars(MUTANT), "reason": "error rate"})
    assert rollout_cell(other, 20, "not ready").outcome == ELSEWHERE


def test_the_json_and_the_page_carry_the_score_the_lines_and_the_evidence(tmp_path):
    page, data = mutation.write(_matrix(KILLED, SURVIVED), tmp_path, "mutate test")
    body = json.loads(data.read_text())
    assert (body["score"], body["killed"], body["mutants"], body["survivors"]) == (0.5, 1, 2, ["m1"])
    assert body["rows"][0]["cells"][0]["failing"][0]["check"] == "replica-* /health/ready answers 503"
    text = page.read_text()
    assert "Score <b>50%</b>" in text and "L1: x" in text and 'href="m0/journal/health-redis-down.json"' in text


def test_the_page_lists_each_runbook_line_with_the_ways_code_breaks_it_and_their_mutants():
    killed = Row("leak-on-query-failure", "L98: - Unclosed database connections", "d", "r", "img",
                 [cell(MUTANT, record("failed", "replica-* /health/ready answers 503 (>= 95% of probes)"))],
                 way="Unclosed connections: on a query error")
    survived = Row("leak-on-cancel", "L98: - Unclosed database connections", "Defect. More.", "r", "img",
                   [cell(MUTANT, record("passed"))], way="Unclosed connections: on a cancelled operation")
    page = mutation.render(Matrix([killed, survived], {"health-redis-down": "passed"}), "t")
    causes = page.split("Runbook causes", 1)[1]
    assert causes.count("L98: - Unclosed database connections") == 1
    assert "Unclosed connections: on a query error: <b>leak-on-query-failure</b> killed" in causes
    assert "Unclosed connections: on a cancelled operation: <b>leak-on-cancel</b> survived" in causes
