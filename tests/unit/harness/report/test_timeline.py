"""A scenario's timeline from its journal: series per bucket, the key metric, the
shaded windows, and the detection and recovery times."""

from runbook_drill.harness.report import timeline
from tests.support.journals import journal


def test_detection_is_the_first_symptom_after_the_injection_and_recovery_the_return_of_service():
    line = timeline.build(journal(), slow_ms=500)
    assert line.detection_s == 0.32  # the first 500 started at 10.3 s, answered 20 ms later; probes failed at 11 s
    assert line.recovery_s == 2.0  # fault window ends at 20 s, served again from 22 s


def test_a_scenario_with_no_symptom_has_no_detection_time():
    assert timeline.build(journal(symptom=False), slow_ms=500).detection_s is None


def test_a_request_slower_than_the_threshold_is_a_symptom_too():
    record = journal(symptom=False)
    slow = next(e for e in record.history["events"] if e["kind"] == "request" and e["t"] >= 1_000_012)
    slow["data"]["latency"] = 0.9
    assert timeline.build(record, slow_ms=500).detection_s > 2


def test_the_series_show_errors_and_unready_replicas_in_the_fault_window_only():
    line = timeline.build(journal(), slow_ms=500)
    at = {round(t - 0.5): i for i, t in enumerate(line.t)}
    assert line.error_pct[at[5]] == 0.0 and line.error_pct[at[15]] == 100.0 and line.error_pct[at[25]] == 0.0
    assert line.ready_replicas[at[5]] == 2 and line.ready_replicas[at[15]] == 0 and line.ready_replicas[at[25]] == 2
    assert line.p99_ms[at[5]] < 100 and line.error_pct[at[0]] is None  # no request in the first second


def test_the_key_metric_is_the_first_one_a_check_names_per_replica():
    line = timeline.build(journal(), slow_ms=500)
    assert line.metric == "http_requests_errors_total"
    assert set(line.metric_series) == {"replica-0", "replica-1"} and line.metric_series["replica-0"][1][-1] == 19
    named = journal(verdicts=[{"check": "the service db_connection_pool_active reaches 1", "status": "pass",
                               "evidence": {}}])
    assert timeline.key_metric(named) == "db_connection_pool_active"


def test_the_fault_remediation_and_recovered_windows_are_shaded_in_time_order():
    shades = timeline.build(journal(), slow_ms=500).shades
    assert [(label, round(start), round(end)) for label, start, end in shades] == [
        ("fault", 10, 20), ("remediation", 20, 21), ("recovered", 22, 26)]
