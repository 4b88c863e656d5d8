"""The history every reader shares: read back from a journal the same, the User API's
requests split into answered and unanswered (logins left out), and since when a probe
has answered as it does for good."""

import json

from runbook_drill.harness.observe.history import History, Window, lasting_from
from tests.support.histories import history_with


def test_a_history_read_back_from_its_journal_form_is_the_same_history():
    history = history_with(("request", "load", 1.0, {"status": 200, "latency": 0.1}),
                           ("probe", "lb", 2.0, {"path": "/health/ready", "status": 503, "latency": 0.01}))
    again = History.from_json(json.loads(json.dumps(history.to_json())))
    assert again.events() == history.events() and again.windows == history.windows


def test_requests_are_the_user_apis_split_by_answer_and_logins_are_left_out():
    history = history_with(("request", "load", 1, {"status": 200, "latency": 0.1, "endpoint": "/users"}),
                           ("request", "load", 2, {"status": None, "latency": 2.0, "endpoint": "/users/{user_id}"}),
                           ("request", "load", 3, {"status": 200, "latency": 0.1, "endpoint": "/login"}))
    answered, unanswered = history.requests(Window("w", 0, 10))
    assert [e.t for e in answered] == [1] and [e.t for e in unanswered] == [2]
    assert history.requests(Window("w", 0, 10), endpoint="/users") == (answered, [])


def test_requests_ended_counts_by_end_time_not_start():
    history = history_with(("request", "load", 1, {"status": 200, "latency": 5.0}),
                           ("request", "load", 4, {"status": 200, "latency": 0.5}))
    assert [e.t for e in history.requests_ended(4, 5.5)] == [4]  # the one begun at 1 is still waiting
    assert [e.t for e in history.requests_ended(5.5, 10)] == [1]


def test_ready_for_good_is_the_answer_of_the_first_probe_of_the_last_ready_run():
    statuses = [200, 503, 200, 200]
    history = history_with(*[("probe", "lb", 10 + i, {"path": "/health/ready", "status": s, "latency": 0.25})
                             for i, s in enumerate(statuses)])
    assert history.ready_for_good_since("lb", "/health/ready", Window("w", 0, 20)) == 12.25
    assert history.ready_for_good_since("lb", "/health/ready", Window("w", 0, 12)) is None


def test_lasting_from_is_none_when_the_last_event_does_not_hold():
    assert lasting_from([1, 2, 3], lambda n: n > 1) == 2
    assert lasting_from([3, 2, 1], lambda n: n > 1) is None and lasting_from([], bool) is None
