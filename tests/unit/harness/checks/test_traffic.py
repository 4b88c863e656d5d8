"""Traffic checks on hand-built histories: error rates over answered requests, censored
latency percentiles, too few samples is unknown."""

from runbook_drill.harness import checks
from runbook_drill.harness.checks import FAIL, PASS, UNKNOWN
from tests.support.histories import history_with, requests_


def _timed(answered_ms, censored_ms):
    events = [("request", "load", 10 + i * 0.01, {"status": 200, "latency": ms / 1000, "endpoint": "/users"})
              for i, ms in enumerate(answered_ms)]
    return events + [("request", "load", 20 + i * 0.01, {"status": None, "latency": ms / 1000, "endpoint": "/users"})
                     for i, ms in enumerate(censored_ms)]



def test_error_rate_is_errors_over_answered_requests():
    history = history_with(*requests_([200] * 98 + [500, 401]))
    assert checks.error_rate("w", above=0.01).evaluate(history).status == PASS
    verdict = checks.error_rate("w", below=0.01).evaluate(history)
    assert verdict.status == FAIL and verdict.evidence["error_rate"] == 0.02
    assert verdict.evidence["errors_by_status"] == {"500": 1, "401": 1}


def test_requests_without_an_answer_are_unknown_never_ok():
    history = history_with(*requests_([None] * 5))
    verdict = checks.error_rate("w", below=0.01).evaluate(history)
    assert verdict.status == UNKNOWN and verdict.evidence["unknown"] == 5


def test_an_event_that_straddles_the_window_end_is_not_in_it():
    history = history_with(("request", "load", 99.9, {"status": 500, "latency": 0.5}),
                           *requests_([200] * 100))
    assert checks.error_rate("w", below=0.01).evaluate(history).status == PASS


def test_latency_percentile_is_exact_nearest_rank():
    history = history_with(*[("request", "load", 10 + i * 0.5, {"status": 200, "latency": ms / 1000})
                             for i, ms in enumerate(range(1, 101))])
    verdict = checks.latency("w", q=0.99, below_ms=100).evaluate(history)
    assert verdict.evidence["p99_ms"] == 99.0 and verdict.status == PASS
    assert checks.latency("w", q=0.99, above_ms=500).evaluate(history).status == FAIL


def test_timeouts_are_latency_censored_at_the_timeout_never_dropped():
    # 97 fast answers, 3 cut off at the 2 s client timeout: p99 is at least 2 s.
    history = history_with(*_timed([10] * 97, [2000] * 3))
    verdict = checks.latency("w", above_ms=500).evaluate(history)
    assert verdict.status == PASS and verdict.evidence["censored"] == 3 and verdict.evidence["p99_ms"] == 2000
    assert checks.latency("w", below_ms=500).evaluate(history).status == FAIL


def test_a_percentile_that_hangs_on_a_fast_failure_with_no_answer_is_unknown():
    # A refused connection has no answer after 1 ms: its latency is only a lower bound.
    history = history_with(*_timed([10] * 98, [1, 1]))
    verdict = checks.latency("w", below_ms=500).evaluate(history)
    assert verdict.status == UNKNOWN and verdict.evidence["p99_ms_at_most"] == "unbounded"


def test_one_censored_request_under_the_percentile_rank_still_decides():
    history = history_with(*_timed([10] * 199 + [30], [2000]))
    assert checks.latency("w", below_ms=500).evaluate(history).status == PASS


def test_too_few_requests_for_a_percentile_or_a_rate_is_unknown():
    history = history_with(*_timed([900] * 50, []))
    assert checks.latency("w", above_ms=500).evaluate(history).status == UNKNOWN
    assert checks.error_rate("w", below=0.01).evaluate(history).status == UNKNOWN


def test_an_error_rate_of_chosen_statuses_and_logins_left_out():
    events = requests_([200] * 97 + [401] * 2 + [500]) + [
        ("request", "load", 30, {"status": 401, "latency": 0.01, "endpoint": "/login (auth)"})] * 50
    history = history_with(*events)
    verdict = checks.error_rate("w", above=0.015, statuses={401}).evaluate(history)
    assert verdict.status == PASS and verdict.evidence["answered"] == 100
    assert verdict.evidence["errors_by_status"] == {"401": 2, "500": 1}


def _first_pages(*items):
    return [("request", "load", 10 + i * 0.01, {"status": 200 if n is not None else 500, "latency": 0.01,
                                                "endpoint": "/users", "method": "GET", "first_page": True,
                                                "items": n}) for i, n in enumerate(items)]


def test_a_first_page_answered_200_and_empty_contradicts_the_users_the_suite_made():
    verdict = checks.pages_hold_users("w").evaluate(history_with(*_first_pages(20, 20, 0, None)))
    assert verdict.status == FAIL and verdict.evidence["empty"] == 1 and verdict.evidence["first_pages_200"] == 3


def test_failed_first_pages_and_an_empty_page_after_a_user_contradict_nothing():
    later = ("request", "load", 11, {"status": 200, "latency": 0.01, "endpoint": "/users", "method": "GET",
                                     "items": 0})
    verdict = checks.pages_hold_users("w").evaluate(history_with(*_first_pages(None, None, 20), later))
    assert verdict.status == PASS and verdict.evidence["empty"] == 0


def _db_requests(statuses, method="GET", endpoint="/users", replica="replica-0"):
    return [("request", "load", 10 + i * 0.01, {"status": s, "latency": 0.01, "endpoint": endpoint, "method": method,
                                                "replica": replica}) for i, s in enumerate(statuses)]


def test_requests_needing_the_database_fail_each_by_class_and_the_load_balancer_s_answers_do_not_count():
    check = checks.database_requests_fail("w", 500)
    right = history_with(*_db_requests([500] * 15), *_db_requests([500] * 10, "POST"),
                         *_db_requests([503] * 30, replica=""), *_db_requests([200] * 30, endpoint="/users/{user_id}"))
    verdict = check.evaluate(right)
    assert verdict.status == PASS and verdict.evidence["answered"] == 25
    hidden = history_with(*_db_requests([200] * 15), *_db_requests([500] * 10, "POST"))
    verdict = check.evaluate(hidden)
    assert verdict.status == FAIL and verdict.evidence["by_class"]["GET /users"] == {"200": 15}


def test_too_few_database_requests_answered_by_a_replica_is_unknown():
    assert checks.database_requests_fail("w", 500).evaluate(history_with(*_db_requests([500] * 5))).status == UNKNOWN
