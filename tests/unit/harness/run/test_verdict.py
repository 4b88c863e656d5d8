"""A scenario's verdict from its checks and guards, on hand-built histories: a guard that
fails makes a harness error naming the overshoot - never a pass of the claim, never a
failure of the service."""

from runbook_drill.harness import checks as c
from runbook_drill.harness.run import verdict
from runbook_drill.scenarios.common import Oracle
from runbook_drill.harness.runbook import Runbook
from tests.support.histories import history_with

ORACLE = Oracle(Runbook())


def _reads(statuses_latencies, start=10.0):
    """Reads through the load balancer: a 503 is its own answer (no replica named)."""
    return [("request", "load", start + i * 0.05, {"status": s, "latency": lat, "endpoint": "/users/{user_id}",
                                                   "method": "GET", "replica": "" if s == 503 else "api1"})
            for i, (s, lat) in enumerate(statuses_latencies)]


def _judge(history):
    claim = [c.latency("fault_steady", above_ms=ORACLE.p99_ms)]
    return verdict.status_of(verdict.evaluate(claim, [ORACLE.in_service()], history))


def test_a_latency_window_where_most_reads_got_503_from_the_load_balancer_is_a_harness_error_not_a_pass():
    # 152 fast 503s from the load balancer, 25 slow answers: the p99 is "over" on an outage.
    history = history_with(*_reads([(503, 0.002)] * 152 + [(200, 0.9)] * 25), windows=(("fault_steady", 0, 100),))
    assert c.latency("fault_steady", above_ms=ORACLE.p99_ms).evaluate(history).status == c.PASS
    status, error = _judge(history)
    assert status == "error" and error.startswith(verdict.OVERSHOT)
    assert "the replicas stay in the load balancer" in error and '"refused_share": 0.8588' in error


def test_a_503_a_replica_gave_itself_is_the_services_answer_not_the_load_balancers():
    events = _reads([(200, 0.05)] * 150 + [(200, 0.9)] * 10)
    events += [("request", "load", 30.0 + i * 0.05, {"status": 503, "latency": 0.01, "endpoint": "/users/{user_id}",
                                                      "method": "GET", "replica": "api2"}) for i in range(100)]
    history = history_with(*events, windows=(("fault_steady", 0, 100),))
    assert _judge(history) == ("passed", "")


def test_a_database_onset_that_saw_only_the_load_balancers_503s_is_a_harness_error():
    onset = history_with(*_reads([(503, 0.002)] * 150), windows=(("fault_onset", 0, 100),))
    claim = [c.error_rate("fault_onset", above=0.01, statuses={500})]
    status, error = verdict.status_of(verdict.evaluate(claim, [ORACLE.replicas_answered()], onset))
    assert status == "error" and "the replicas answered at least 20 requests" in error
    shown = history_with(*_reads([(500, 0.01)] * 40 + [(503, 0.002)] * 110), windows=(("fault_onset", 0, 100),))
    assert verdict.status_of(verdict.evaluate(claim, [ORACLE.replicas_answered()], shown)) == ("passed", "")


def test_a_slow_service_that_stays_in_the_load_balancer_passes_its_claim():
    history = history_with(*_reads([(200, 0.05)] * 150 + [(200, 0.9)] * 10), windows=(("fault_steady", 0, 100),))
    assert _judge(history) == ("passed", "")


def test_a_service_that_is_not_slow_still_fails_its_claim_when_the_guard_holds():
    history = history_with(*_reads([(200, 0.05)] * 160), windows=(("fault_steady", 0, 100),))
    assert _judge(history) == ("failed", "")


def test_a_guard_is_kept_in_the_verdicts_marked_as_one():
    history = history_with(*_reads([(200, 0.05)] * 160), windows=(("fault_steady", 0, 100),))
    found = verdict.evaluate([], [ORACLE.in_service()], history)
    assert found[0].evidence["guard"] is True and found[0].to_json()["margin"]["passed"] is True


def _recovery(latency_s, busy_share):
    """A recovery window's answers, and a replica's CPU use at `busy_share` of its limit."""
    events = list(_reads([(200, latency_s)] * 150, start=10.0))
    events += [("container", "replica-0", 10.0 + i, {"cpus": 0.1}) for i in range(5)]
    events += [("resources", "replica-0", 10.0 + i, {"cpu_ns": int(i * busy_share * 0.1 * 1e9)}) for i in range(5)]
    history = history_with(*events, windows=(("recovery", 0, 100),))
    checks = [c.latency("recovery", below_ms=ORACLE.p99_ms)]
    return verdict.status_of(verdict.evaluate(checks, [], history, [c.cpu_busy("replica-*", "recovery", below=0.9)]))


def test_a_remediation_that_fails_on_replicas_the_quota_left_saturated_is_a_harness_error():
    status, error = _recovery(0.9, 0.98)
    assert status == "error" and error.startswith(verdict.NO_ROOM) and "CPU use under 90%" in error


def test_a_remediation_that_fails_with_room_to_spare_is_the_services_failure():
    assert _recovery(0.9, 0.5) == ("failed", "")


def test_a_room_check_decides_nothing_when_the_remediation_worked():
    assert _recovery(0.05, 0.98) == ("passed", "")
