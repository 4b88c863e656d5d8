"""Container and resource checks on hand-built readings."""

from runbook_drill.harness import checks
from runbook_drill.harness.checks import FAIL, PASS, UNKNOWN
from tests.support.histories import history_with


def test_a_reading_is_bounded_by_its_baseline_peak_plus_slack_on_every_source():
    readings = [("resources", src, t, {"memory_bytes": v}) for src, t, v in
                [("r0", 10, 100), ("r0", 11, 120), ("r1", 10, 50), ("r0", 60, 130), ("r0", 61, 125), ("r1", 60, 90)]]
    history = history_with(*readings, windows=(("steady", 0, 50), ("fault", 50, 100)))
    verdict = checks.resource_bounded("r*", "memory_bytes", "fault", "steady", slack=40).evaluate(history)
    assert verdict.status == PASS and verdict.evidence["growth_over_baseline_peak"] == {"r0": 10, "r1": 40}
    assert checks.resource_bounded("r*", "memory_bytes", "fault", "steady", slack=39).evaluate(history).status == FAIL


def test_container_state_equals_or_rises():
    states = [("container", "r0", 10 + i, {"oom_killed": oom, "restart_count": n})
              for i, (oom, n) in enumerate([(False, 0), (True, 0), (False, 1)])]
    history = history_with(*states)
    assert checks.container("r0", "oom_killed", "w", equals=True).evaluate(history).status == PASS
    assert checks.container("r0", "restart_count", "w", rises=True).evaluate(history).status == PASS


def test_a_resource_reading_rises_or_not():
    readings = [("resources", "r0", 10 + i, {"throttled_periods": n}) for i, n in enumerate([3, 3, 9])]
    history = history_with(*readings)
    assert checks.resource("r0", "throttled_periods", "w").evaluate(history).status == PASS
    assert checks.resource("r0", "throttled_periods", "w", rises=False).evaluate(history).status == FAIL
    assert checks.resource("r1", "throttled_periods", "w").evaluate(history).status == UNKNOWN


def _died(*codes):
    return [("event", f"replica-{i}", 10 + i, {"action": "die", "exit_code": code}) for i, code in enumerate(codes)]


def test_a_restarted_replica_killed_after_the_grace_period_fails_and_one_that_ended_by_itself_passes():
    check = checks.ended_on_sigterm("replica-*", "w")
    killed = check.evaluate(history_with(*_died("0", "137")))
    assert killed.status == FAIL and killed.evidence["killed"] == 1
    assert check.evaluate(history_with(*_died("0", "143"))).status == PASS
    assert check.evaluate(history_with(("event", "replica-0", 10, {"action": "start"}))).status == UNKNOWN
