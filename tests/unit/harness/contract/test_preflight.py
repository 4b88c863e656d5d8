"""The pre-flight's judgements that need no image: metric types by name, the
exposition read, the table printed."""

from harness.contract.lines import BY_ID
from harness.checks.metrics import expected_type
from harness.contract.preflight import Result, metric_types, render


def test_a_metric_s_type_follows_its_name_counters_histograms_and_gauges():
    assert expected_type("http_requests_total") == "counter"
    assert expected_type("http_request_duration_seconds") == "histogram"
    assert expected_type("db_connection_pool_active") == "gauge"


def test_an_exposition_s_families_are_read_with_counters_under_their_total_name():
    text = ("# TYPE http_requests_total counter\nhttp_requests_total{path=\"/users\"} 3\n"
            "# TYPE db_connection_pool_active gauge\ndb_connection_pool_active 1\n"
            "# TYPE http_request_duration_seconds histogram\n"
            "http_request_duration_seconds_bucket{le=\"+Inf\"} 1\nhttp_request_duration_seconds_sum 0.1\n"
            "http_request_duration_seconds_count 1\n")
    types = metric_types(text)
    assert types["http_requests_total"] == "counter" and types["db_connection_pool_active"] == "gauge"
    assert types["http_request_duration_seconds"] == "histogram" and "redis_hits_total" not in types


def test_the_table_has_a_row_per_line_with_its_result_and_evidence():
    table = render([Result(BY_ID["probe.live"], True, "GET /health/live: 200"),
                    Result(BY_ID["metrics.exported"], False, "http_requests_errors_total: missing")])
    rows = table.splitlines()
    assert len(rows) == 2 and rows[0].split()[:2] == ["probe.live", "met"]
    assert rows[1].split()[:2] == ["metrics.exported", "UNMET"] and "missing" in rows[1]
