"""Release validation from two runs' journals: per scenario the verdicts, p99 and error
rate with their difference, detection and recovery; worse when a verdict is lost."""

from harness.report import compare
from tests.support.journals import journal


def test_a_verdict_lost_by_the_candidate_makes_it_worse_and_is_shown_with_the_figures():
    baseline = [journal("db-refused"), journal("health-baseline", symptom=False)]
    candidate = [journal("db-refused", "failed", symptom=False), journal("health-baseline", symptom=False)]
    rows = compare.compare(baseline, candidate, slow_ms=500)
    assert [(r.scenario, r.change) for r in rows] == [("db-refused", "worse"), ("health-baseline", "same")]
    assert compare.worse(rows)
    before, after = rows[0].baseline, rows[0].candidate
    assert before.fault_error_rate > 0.9 and after.fault_error_rate == 0.0
    assert before.detection_s == 0.32 and after.detection_s is None
    text = compare.render(rows)
    assert "WORSE    db-refused" in text and "passed -> failed" in text and "fault error rate 97% -> 0% (-97%)" in text
    assert text.splitlines()[-1].startswith("candidate: WORSE than the baseline (1 worse, 0 better, 1 same")


def test_a_candidate_that_passes_what_the_baseline_failed_is_better_not_worse():
    rows = compare.compare([journal("db-refused", "failed")], [journal("db-refused")], slow_ms=500)
    assert rows[0].change == "better" and not compare.worse(rows)


def test_a_scenario_the_candidate_did_not_run_counts_against_it():
    rows = compare.compare([journal("db-refused"), journal("db-pod-restarted")], [journal("db-refused")], 500)
    assert rows[1].change == "missing" and compare.worse(rows)


def test_the_figures_are_read_from_the_steady_and_fault_windows():
    figures = compare.figures(journal(), slow_ms=500)
    assert figures.steady_p99_ms == 20.0 and figures.fault_p99_ms == 20.0  # 1 slow of 100 is not over p99
    assert figures.fault_error_rate == 0.97  # 500s from 10.3 s on
    assert figures.recovery_s == 2.0 and figures.status == "passed"
