"""Metric checks on hand-built scrapes: rises, stays, reaches; a declared counter
without samples is 0."""

from harness import checks
from harness.checks import FAIL, PASS, UNKNOWN
from tests.support.histories import history_with


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
