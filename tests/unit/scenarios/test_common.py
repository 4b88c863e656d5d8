"""The conditions scenarios wait on, judged on a history built by hand."""

from runbook_drill.harness.observe.history import History
from runbook_drill.scenarios.common import replica_restarted


def _states(history: History, source: str, *counts: int) -> None:
    for count in counts:
        history.record("container", source, status="running", restart_count=count)


def test_a_replica_whose_restart_count_rises_is_a_restart_seen():
    history = History()
    _states(history, "replica-0", 0, 0)
    _states(history, "replica-1", 0, 1)
    assert replica_restarted()(history)


def test_restart_counts_left_from_an_earlier_scenario_are_not_a_restart():
    history = History()
    _states(history, "replica-0", 3, 3, 3)
    _states(history, "replica-1", 1, 1)
    assert not replica_restarted()(history)


def test_no_container_states_yet_is_no_restart():
    assert not replica_restarted()(History())


def test_the_service_is_down_once_the_balancer_says_503_and_the_users_get_503_too():
    import time

    from runbook_drill.harness.observe.history import History
    from runbook_drill.scenarios.common import lb_answers

    history, now = History(), time.time()
    for n in range(3):
        history.record("probe", "lb", t=now - 1 + n * 0.25, path="/health/ready", status=503, latency=0.001)
    for n in range(10):  # a replica marked down still answers on a kept-alive connection
        history.record("request", "load", t=now - 1 + n * 0.05, endpoint="/users/{user_id}", status=500,
                       latency=0.005)
    down = lb_answers(503)
    assert not down(history)
    for n in range(10):
        history.record("request", "load", t=now - 0.4 + n * 0.02, endpoint="/users/{user_id}", status=503,
                       latency=0.002)
    assert down(history)
