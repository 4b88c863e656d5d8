"""Stack operations done together (pods restarting, a scaled deployment starting):
results in order, and an error raised only once every action has ended."""

import threading

import pytest

from runbook_drill.harness.stack import together


def test_every_action_runs_at_once_and_the_results_come_back_in_order():
    barrier = threading.Barrier(3, timeout=5)  # passes only if all three run at the same time

    def action(item):
        barrier.wait()
        return item * 10

    assert together(action, [1, 2, 3]) == [10, 20, 30]


def test_an_error_is_raised_only_after_the_other_actions_have_ended():
    ended = []

    def action(item):
        if item == 0:
            raise RuntimeError("replica 0 never became ready")
        threading.Event().wait(0.2)
        ended.append(item)

    with pytest.raises(RuntimeError, match="replica 0"):
        together(action, range(3))
    assert sorted(ended) == [1, 2]


def test_nothing_to_do_is_no_thread_and_no_error():
    assert together(lambda _: 1 / 0, []) == []
