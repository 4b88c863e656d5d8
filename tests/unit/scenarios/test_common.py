"""The conditions scenarios wait on, judged on a history built by hand."""

from harness.observe.history import History
from scenarios.common import replica_restarted


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
