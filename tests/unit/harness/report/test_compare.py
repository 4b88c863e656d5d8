"""Release validation from two runs' journals: per scenario the verdicts, p99 and error
rate with their difference, detection and recovery; worse when a verdict is lost."""

from runbook_drill.harness.report import compare
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


def _with_timeouts(record: dict, share: float, timeout_s: float) -> dict:
    """The same requests, `share` of the fault window's given up by the client at `timeout_s`."""
    fault = record.history["windows"]["fault"]
    inside = [e for e in record.history["events"] if e["kind"] == "request"
              and fault["start"] <= e["t"] and e["t"] + timeout_s < fault["end"]]
    for event in inside[::round(1 / share)]:
        event["data"].update(status=None, error="timeout", latency=timeout_s)
    return record


def test_a_candidate_whose_requests_time_out_shows_a_fault_p99_of_at_least_the_timeout():
    baseline, candidate = journal(symptom=False), _with_timeouts(journal(symptom=False), 0.03, 2.0)
    row = compare.compare([baseline], [candidate], slow_ms=500)[0]
    assert row.baseline.fault_p99_ms == 20.0 and row.candidate.fault_unanswered >= 2
    assert row.candidate.fault_p99_ms >= 2000.0  # the answered requests alone had a p99 of 20 ms
    assert row.candidate.fault_error_rate == 0.0  # what the error-rate check judges: the answered ones
    assert "fault p99 20 ms -> 2000 ms" in compare.render([row]) and "unanswered 0 -> " in compare.render([row])


def test_the_comparison_says_how_its_figures_are_judged():
    assert compare.render([]).splitlines()[0] == compare.HEADER and "censored" in compare.HEADER


def test_a_runbook_line_the_candidate_s_pre_flight_found_unmet_makes_it_worse_and_one_only_the_baseline_missed_better():
    lines = journal("contract", "failed", symptom=False)
    rows = compare.compare([journal("db-refused")], [lines, journal("db-refused")], slow_ms=500)
    assert [(r.scenario, r.change) for r in rows] == [("db-refused", "same"), ("contract", "worse")]
    rows = compare.compare([lines, journal("db-refused")], [journal("db-refused")], slow_ms=500)
    assert rows[0].change == "better" and not compare.worse(rows)
