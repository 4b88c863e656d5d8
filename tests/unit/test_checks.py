"""Checks against hand-built histories: all pass, all fail, and missing data -> unknown."""

import pytest

from harness.chaos import checks
from harness.chaos.checks import FAIL, PASS, UNKNOWN
from harness.chaos.history import History


def history_with(*events, windows=(("w", 0, 100),)) -> History:
    history = History()
    for kind, source, t, data in events:
        history.record(kind, source, t=t, **data)
    for name, start, end in windows:
        history.mark(name, start, end)
    return history


def requests_(statuses, latency=0.01):
    return [("request", "load", 10 + i * 0.1, {"status": s, "latency": latency, "endpoint": "/users/{user_id}"})
            for i, s in enumerate(statuses)]


def probes(source, path, statuses, start=10):
    return [("probe", source, start + i, {"path": path, "status": s, "latency": 0.01}) for i, s in enumerate(statuses)]


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


def _timed(answered_ms, censored_ms):
    events = [("request", "load", 10 + i * 0.01, {"status": 200, "latency": ms / 1000, "endpoint": "/users"})
              for i, ms in enumerate(answered_ms)]
    return events + [("request", "load", 20 + i * 0.01, {"status": None, "latency": ms / 1000, "endpoint": "/users"})
                     for i, ms in enumerate(censored_ms)]


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


def test_probe_share_passes_fails_and_is_unknown_without_probes():
    history = history_with(*probes("r0", "/health/ready", [503] * 9 + [200]))
    assert checks.probe_status("r0", "/health/ready", 503, "w", share=0.9).evaluate(history).status == PASS
    assert checks.probe_status("r0", "/health/ready", 503, "w").evaluate(history).status == FAIL
    assert checks.probe_status("r1", "/health/ready", 503, "w").evaluate(history).status == UNKNOWN


def test_a_probe_without_an_answer_is_unknown_neither_the_status_nor_a_mismatch():
    history = history_with(*probes("r0", "/health/ready", [503] * 8 + [None]))
    verdict = checks.probe_status("r0", "/health/ready", 503, "w", share=0.95).evaluate(history)
    assert verdict.status == PASS and verdict.evidence["unanswered"] == 1 and verdict.evidence["share"] == 1.0
    history = history_with(*probes("r0", "/health/ready", [503] * 7 + [200] + [None]))
    assert checks.probe_status("r0", "/health/ready", 503, "w").evaluate(history).status == FAIL


def test_a_claim_of_no_answer_counts_every_probe():
    history = history_with(*probes("r0", "/health/live", [None] * 9 + [200]))
    assert checks.probe_status("r0", "/health/live", None, "w", share=0.9).evaluate(history).status == PASS
    assert checks.probe_status("r0", "/health/live", None, "w").evaluate(history).status == FAIL


def test_too_many_probes_without_an_answer_make_the_share_unknown():
    history = history_with(*probes("r0", "/health/live", [200] * 7 + [None] * 3))
    verdict = checks.probe_status("r0", "/health/live", 200, "w").evaluate(history)
    assert verdict.status == UNKNOWN and verdict.evidence["reason"] == "3 of 10 probes got no answer"
    history = history_with(*probes("r0", "/health/live", [None] * 4))
    assert checks.probe_status("r0", "/health/live", 200, "w").evaluate(history).status == UNKNOWN


def test_within_measures_the_time_to_a_lasting_status():
    history = history_with(*probes("r0", "/health/ready", [503, 503, 200, 503, 200, 200], start=10),
                           windows=(("w", 10, 100),))
    verdict = checks.probe_status_within("r0", "/health/ready", 200, "w", 5).evaluate(history)
    assert verdict.status == PASS and verdict.evidence["seconds_to_status"] == 4
    assert checks.probe_status_within("r0", "/health/ready", 200, "w", 3).evaluate(history).status == FAIL


def test_a_metric_rises_stays_or_reaches():
    scrapes = [("metrics", "r0", 10 + i, {"samples": {'redis_hits_total{}': v,
                                                       'http_requests_total{method=GET,route=/x,status=500}': 1}})
               for i, v in enumerate([1, 5, 9])]
    history = history_with(*scrapes)
    assert checks.metric("r0", "redis_hits_total", "w", "rises").evaluate(history).status == PASS
    assert checks.metric("r0", "redis_hits_total", "w", "stays").evaluate(history).status == FAIL
    assert checks.metric("r0", "http_requests_total", "w", "stays", labels={"status": "500"}) \
        .evaluate(history).status == PASS
    assert checks.metric("r0", "redis_hits_total", "w", "reaches", value=9).evaluate(history).status == PASS
    assert checks.metric("r0", "nope_total", "w", "rises").evaluate(history).status == UNKNOWN


def test_a_counter_declared_without_samples_counts_as_zero():
    declared = {"http_requests_errors": {"type": "counter", "labels": []}}

    def scrape(t, samples):
        return ("metrics", "r0", t, {"samples": samples, "types": declared})
    never = history_with(*[scrape(10 + i, {}) for i in range(3)])
    verdict = checks.metric("r0", "http_requests_errors_total", "w", "rises").evaluate(never)
    assert verdict.status == FAIL and verdict.evidence["last"] == 0
    first_error = history_with(scrape(10, {}), scrape(11, {"http_requests_errors_total{status=401}": 3.0}))
    assert checks.metric("r0", "http_requests_errors_total", "w", "rises").evaluate(first_error).status == PASS


def test_a_log_line_is_found_by_level_and_text():
    history = history_with(("log", "r0", 10, {"level": "ERROR", "message": "invalid token: expired"}),
                           ("log", "r0", 11, {"level": "INFO", "message": "connection refused (not an error)"}))
    assert checks.log_line("r0", "ERROR", "invalid token", "w").evaluate(history).status == PASS
    assert checks.log_line("r0", "ERROR", "connection refused", "w").evaluate(history).status == FAIL
    assert checks.log_line("r1", "ERROR", "x", "w").evaluate(history).status == UNKNOWN


def test_a_service_log_claim_reads_every_replica_whichever_one_logged_it():
    history = history_with(("log", "replica-0", 10, {"level": "ERROR", "message": "connection lost"}),
                           ("log", "replica-1", 11, {"level": "ERROR", "message": "connection refused"}),
                           ("log", "lb", 12, {"level": "ERROR", "message": "refused by lb"}))
    verdict = checks.log_line(checks.REPLICAS, "ERROR", "connection refused", "w").evaluate(history)
    assert verdict.status == PASS and verdict.evidence["by_source"] == {"replica-1": 1}
    assert checks.log_line(checks.REPLICAS, "ERROR", "by lb", "w").evaluate(history).status == FAIL


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


def test_a_missing_window_or_a_crashing_check_is_unknown():
    history = history_with(*requests_([200]))
    assert checks.error_rate("nope", below=0.01).evaluate(history).status == UNKNOWN
    broken = checks.Check("broken", "w", lambda h, w: 1 / 0)
    verdict = broken.evaluate(history)
    assert verdict.status == UNKNOWN and "ZeroDivisionError" in verdict.evidence["reason"]


@pytest.mark.parametrize("values, q, expected", [([5], 0.99, 5), ([1, 2, 3, 4], 0.5, 2), ([1, 2, 3, 4], 0.75, 3)])
def test_percentile_is_nearest_rank(values, q, expected):
    assert checks.percentile(values, q) == expected


def test_a_resource_reading_rises_or_not():
    readings = [("resources", "r0", 10 + i, {"throttled_periods": n}) for i, n in enumerate([3, 3, 9])]
    history = history_with(*readings)
    assert checks.resource("r0", "throttled_periods", "w").evaluate(history).status == PASS
    assert checks.resource("r0", "throttled_periods", "w", rises=False).evaluate(history).status == FAIL
    assert checks.resource("r1", "throttled_periods", "w").evaluate(history).status == UNKNOWN
