"""Metric checks on hand-built scrapes: rises, stays, reaches; a declared counter
without samples is 0."""

from runbook_drill.harness import checks
from runbook_drill.harness.checks import FAIL, PASS, UNKNOWN
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


def _gauge(values, start=10):
    scrapes = [("metrics", "r0", start + i, {"samples": {"db_connection_pool_active{}": v}}) for i, v in
               enumerate(values)]
    return scrapes


def test_a_gauge_is_back_to_baseline_though_its_last_scrape_caught_requests_in_flight():
    history = history_with(*_gauge([0, 1, 0], 10), *_gauge([3, 0, 1, 2], 50),
                           windows=(("steady", 0, 20), ("recovery", 40, 100)))
    check = checks.metric_back_to_baseline("r0", "db_connection_pool_active", "recovery", "steady", slack=1)
    assert check.evaluate(history).status == PASS


def test_a_gauge_that_holds_what_it_took_at_every_last_scrape_is_a_leak():
    history = history_with(*_gauge([0, 1, 0], 10), *_gauge([3, 3, 3, 3], 50),
                           windows=(("steady", 0, 20), ("recovery", 40, 100)))
    verdict = checks.metric_back_to_baseline("r0", "db_connection_pool_active", "recovery", "steady",
                                             slack=1).evaluate(history)
    assert verdict.status == FAIL and verdict.evidence["end"] == {"r0": 3}


def test_a_label_of_any_name_whose_value_starts_with_the_route_is_matched():
    scrapes = [("metrics", "r0", 10 + i, {"samples": {"http_requests_total{code=200,method=GET,path=/users/{id}}": v,
                                                       "http_requests_total{code=200,path=/health/ready}": 10 * i}})
               for i, v in enumerate([4, 4, 4])]
    history = history_with(*scrapes)
    only_users = checks.metric("r0", "http_requests_total", "w", "stays", labels={checks.ANY_LABEL: "/users"})
    assert only_users.evaluate(history).status == PASS
    assert checks.metric("r0", "http_requests_total", "w", "stays").evaluate(history).status == FAIL


def test_connections_in_use_at_their_allowance_pass_as_categorical_and_one_more_held_fails():
    def gauge(values):
        return history_with(*[("metrics", "r0", 10 + i, {"samples": {"db_connection_pool_active{}": v}})
                              for i, v in enumerate(values)])
    check = checks.metric_at_most("r0", "db_connection_pool_active", "w", 1)
    at_allowance = check.evaluate(gauge([2, 1, 1, 1]))
    assert at_allowance.status == PASS and at_allowance.margin().ratio is None  # categorical: not "1x"
    assert check.evaluate(gauge([1, 2, 2, 2])).status == FAIL
