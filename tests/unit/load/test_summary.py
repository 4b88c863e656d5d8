"""Window maths on hand-built records: exact percentiles, errors by status, and an
empty window that is unknown rather than zero."""

from runbook_drill.load.summary import summarize


def rec(t, status, ms, endpoint="/users/{user_id}"):
    return {"t": t, "endpoint": endpoint, "status": status, "latency": ms / 1000, "method": "GET", "error": ""}


def test_percentiles_are_exact_nearest_rank_over_the_window():
    records = [rec(10 + i * 0.01, 200, ms) for i, ms in enumerate(range(1, 101))]
    summary = summarize(records, 0, 100)
    assert (summary["p50_ms"], summary["p95_ms"], summary["p99_ms"]) == (50, 95, 99)
    assert summary["requests"] == 100 and summary["rps"] == 1.0


def test_errors_are_counted_by_status_and_timeouts_are_unknown():
    records = [rec(1, 200, 5)] * 97 + [rec(2, 500, 5), rec(3, 429, 5), rec(4, None, 2000)]
    summary = summarize(records, 0, 10)
    assert summary["errors_by_status"] == {"500": 1, "429": 1}
    assert summary["error_rate"] == round(2 / 99, 4) and summary["unknown"] == 1


def test_only_requests_that_start_and_end_inside_the_window_count():
    records = [rec(9.9, 500, 200), rec(10.5, 200, 10), rec(19.99, 500, 50)]
    summary = summarize(records, 10, 20)
    assert summary["requests"] == 1 and summary["error_rate"] == 0.0


def test_an_empty_window_is_unknown_not_zero():
    summary = summarize([rec(50, 200, 5)], 0, 10)
    assert summary["requests"] == 0 and summary["error_rate"] is None and summary["p99_ms"] is None


def test_auth_calls_are_not_user_api_traffic():
    summary = summarize([rec(1, 500, 5, endpoint="/login (auth)"), rec(2, 200, 5)], 0, 10)
    assert summary["requests"] == 1 and summary["error_rate"] == 0.0
