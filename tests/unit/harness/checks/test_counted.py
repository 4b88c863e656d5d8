"""Checks under a counted load, on hand-built histories: a phase's move is read between
the scrape before it and the first begun after it; what a correct counter moves passes,
a counter off by the defects the mutants write fails with its bound, a phase with an
unanswered request is unknown."""

from runbook_drill.harness.checks import FAIL, PASS, UNKNOWN
from runbook_drill.harness.checks import counted as n
from runbook_drill.harness.observe.counted import SOURCE
from tests.support.histories import history_with

R0 = "replica-0"


def _scrape(t, samples):
    return ("metrics", R0, t, {"samples": samples, "started": t - 0.01})


def _phase(name, start, requests, status=200, latency=0.01):
    sent = [("request", SOURCE, start + i * 0.01, {"phase": name, "status": status, "latency": latency,
                                                  "endpoint": "/users/{id}"}) for i in range(requests)]
    return [("phase", SOURCE, start, {"name": name, "replica": R0, "latency": requests * 0.01 + latency}), *sent]


def _counters(hits, misses, requests, errors=0, seconds=0.0):
    return {"redis_hits_total{}": hits, "redis_misses_total{}": misses,
            "http_requests_total{method=GET,route=/users/{user_id},status=200}": requests,
            "http_requests_total{method=GET,route=/health/ready,status=200}": 1000 + requests * 7,
            "http_requests_errors_total{method=GET,route=/users/{user_id},status=401}": errors,
            "http_request_duration_seconds_count{method=GET,route=/users/{user_id}}": requests,
            "http_request_duration_seconds_sum{method=GET,route=/users/{user_id}}": seconds}


def _reads(after_misses, after_hits):
    """Misses of 10 reads at t=10, hits of the same 10 at t=20; scrapes around each."""
    return history_with(_scrape(9, _counters(0, 0, 0)), *_phase("misses", 10, 10), _scrape(11, after_misses),
                        *_phase("hits", 20, 10), _scrape(21, after_hits))


def test_a_counter_that_counts_each_request_once_passes_though_probes_count_too():
    history = _reads(_counters(0, 10, 10), _counters(10, 10, 20))
    verdict = n.counted(("misses", "hits"), "http_requests_total", n.successes, "w",
                        labels=n.USERS_ROUTES).evaluate(history)
    assert verdict.status == PASS and verdict.evidence["moved"] == 20 == verdict.evidence["expected"]


def test_a_counter_that_counts_each_request_twice_fails_above_its_bound():
    history = _reads(_counters(0, 10, 20), _counters(10, 10, 40))
    verdict = n.counted(("misses", "hits"), "http_requests_total", n.successes, "w",
                        labels=n.USERS_ROUTES, tolerance=0.02).evaluate(history)
    assert verdict.status == FAIL and verdict.evidence["bound"] == {"figure": "moved", "op": "<=", "value": 21}


def test_hits_are_one_per_second_read_even_when_the_service_also_counts_a_hit_per_request():
    own_tokens = _reads(_counters(10, 10, 10), _counters(30, 10, 20))  # a token-cache hit per request besides
    check = n.counted(("hits",), "redis_hits_total", n.successes, "w", minus=("misses",))
    assert check.evaluate(own_tokens).status == PASS
    every_lookup = _reads(_counters(10, 10, 10), _counters(20, 10, 20))
    verdict = check.evaluate(every_lookup)
    assert verdict.status == FAIL and verdict.evidence["moved"] == 0


def test_errors_not_counted_for_forged_tokens_fail_and_a_phase_never_run_is_unknown():
    history = history_with(_scrape(9, _counters(0, 0, 0)), *_phase("rejected", 10, 10, status=401),
                           _scrape(11, _counters(0, 0, 0, errors=0)))
    assert n.counted(("rejected",), "http_requests_errors_total", n.failures, "w").evaluate(history).status == FAIL
    assert n.counted(("hits",), "redis_hits_total", n.successes, "w").evaluate(history).status == UNKNOWN


def test_a_scrape_begun_before_the_phase_ended_does_not_close_it():
    history = history_with(_scrape(9, _counters(0, 0, 0)), *_phase("misses", 10, 10), _scrape(10.15, _counters(0, 0, 5)))
    assert n.counted(("misses",), "http_requests_total", n.successes, "w",
                     labels=n.USERS_ROUTES).evaluate(history).status == UNKNOWN


def test_an_unanswered_request_makes_the_count_unknown():
    events = _phase("misses", 10, 10)
    events[3] = (*events[3][:3], {**events[3][3], "status": None})
    history = history_with(_scrape(9, _counters(0, 0, 0)), *events, _scrape(11, _counters(0, 10, 10)))
    verdict = n.counted(("misses",), "http_requests_total", n.successes, "w").evaluate(history)
    assert verdict.status == UNKNOWN and "no answer" in verdict.evidence["reason"]


def test_the_server_mean_must_lie_within_the_clients_and_hold_the_handlers_time():
    within = history_with(_scrape(9, _counters(0, 0, 0)), *_phase("held", 10, 10, latency=0.2),
                          _scrape(13, _counters(0, 0, 10, seconds=1.9)))
    assert n.server_time(("held",), "w", at_least=0.5).evaluate(within).status == PASS
    in_ms = history_with(_scrape(9, _counters(0, 0, 0)), *_phase("held", 10, 10, latency=0.2),
                         _scrape(13, _counters(0, 0, 10, seconds=1900.0)))
    verdict = n.server_time(("held",), "w").evaluate(in_ms)
    assert verdict.status == FAIL and verdict.evidence["bound"]["op"] == "<="
    handler_left_out = history_with(_scrape(9, _counters(0, 0, 0)), *_phase("held", 10, 10, latency=0.2),
                                    _scrape(13, _counters(0, 0, 10, seconds=0.01)))
    verdict = n.server_time(("held",), "w", at_least=0.5).evaluate(handler_left_out)
    assert verdict.status == FAIL and verdict.evidence["bound"] == {"figure": "server_ms", "op": ">=", "value": 100.0}


def test_a_histogram_declared_before_its_first_observation_moves_from_zero():
    declared = {"http_request_duration_seconds": {"type": "histogram", "labels": ["method", "route"]}}
    before = ("metrics", R0, 9, {"samples": {}, "types": declared, "started": 8.99})
    history = history_with(before, *_phase("held", 10, 4, latency=0.2),
                           _scrape(13, _counters(0, 0, 4, seconds=0.76)))
    verdict = n.server_time(("held",), "w", at_least=0.5).evaluate(history)
    assert verdict.status == PASS and verdict.evidence["observations"] == 4


def test_a_count_with_no_series_before_the_phase_moves_from_zero():
    history = history_with(("metrics", R0, 9, {"samples": {}, "types": {}, "started": 8.99}),
                           *_phase("misses", 10, 10), _scrape(11, _counters(0, 10, 10)))
    verdict = n.counted(("misses",), "http_requests_total", n.successes, "w", labels=n.USERS_ROUTES).evaluate(history)
    assert verdict.status == PASS and verdict.evidence["moved"] == 10


def _by_handler(requests):
    return {"http_requests_total{handler=get_user,status=200}": requests,
            "http_requests_total{handler=health_ready,status=200}": 1000 + requests * 7,
            "http_requests_total{handler=metrics,status=200}": 500 + requests}


def test_a_counter_labelled_by_handler_names_is_counted_by_the_series_the_route_census_found():
    census = ("routes", "census", 1.0, {"families": {"http_requests_total": {
        "key": "handler", "others": ["health_ready", "metrics"]}}})
    history = history_with(census, _scrape(9, _by_handler(0)), *_phase("misses", 10, 10),
                           _scrape(11, _by_handler(10)), *_phase("hits", 20, 10), _scrape(21, _by_handler(20)))
    check = n.counted(("misses", "hits"), "http_requests_total", n.successes, "w", labels=n.USERS_ROUTES)
    verdict = check.evaluate(history)
    assert verdict.status == PASS and verdict.evidence["moved"] == 20
    unlabelled = history_with(*[e for e in (_scrape(9, _by_handler(0)), *_phase("misses", 10, 10),
                                            _scrape(11, _by_handler(10)), *_phase("hits", 20, 10),
                                            _scrape(21, _by_handler(20)))])
    assert check.evaluate(unlabelled).status == UNKNOWN  # no census: a value starting /users, and none has one


def test_a_count_with_no_series_around_a_phase_moved_by_nothing_when_the_replica_exports_it_later():
    quiet = {"redis_hits_total{}": 0}
    later = {"http_requests_errors_total{code=401,path=/users/{id}}": 10}
    history = history_with(_scrape(9, quiet), *_phase("misses", 10, 10), _scrape(11, quiet),
                           *_phase("rejected", 20, 10, status=401), _scrape(21, later))
    verdict = n.counted(("misses",), "http_requests_errors_total", n.nothing, "w").evaluate(history)
    assert verdict.status == PASS and verdict.evidence["moved"] == 0
    never = history_with(_scrape(9, quiet), *_phase("misses", 10, 10), _scrape(11, quiet))
    assert n.counted(("misses",), "http_requests_errors_total", n.nothing, "w").evaluate(never).status == UNKNOWN
