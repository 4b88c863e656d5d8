"""A repeated run's table: per scenario the verdicts over its repetitions, and each
check's worst margin - a failure over any pass, the pass nearest its bound otherwise."""

from runbook_drill.harness.report import repeat
from tests.support.journals import record_of

NEAR = {"check": "p99 latency < 500 ms", "status": "pass",
        "evidence": {"p99_ms": 450.0, "bound": {"figure": "p99_ms", "op": "<", "value": 500}}}
FAR = {**NEAR, "evidence": {"p99_ms": 100.0, "bound": {"figure": "p99_ms", "op": "<", "value": 500}}}
FAILED = {**NEAR, "status": "fail", "evidence": {"p99_ms": 631.0, "bound": {"figure": "p99_ms", "op": "<",
                                                                              "value": 500}}}


def _record(status, *verdicts):
    return record_of(scenario="latency-cpu-throttling", status=status, verdicts=list(verdicts))


def test_the_worst_margin_of_a_check_is_its_nearest_pass_and_the_row_says_how_many_passed():
    table = repeat.rows([_record("passed", FAR), _record("passed", NEAR), _record("passed", FAR)])
    assert table[0].runs == 3 and table[0].verdicts == {"passed": 3} and not table[0].deviated
    assert table[0].worst == {"p99 latency < 500 ms": "marginal: 450 vs 500 (1.11x)"}


def test_one_failed_repetition_makes_the_row_deviate_and_its_failure_the_worst():
    table = repeat.rows([_record("passed", NEAR), _record("failed", FAILED)])
    assert table[0].deviated and table[0].verdicts == {"passed": 1, "failed": 1}
    assert table[0].worst["p99 latency < 500 ms"].startswith("fail: 631 vs 500")
    assert "latency-cpu-throttling" in repeat.render(table) and '"deviated": true' in repeat.to_json(table)
