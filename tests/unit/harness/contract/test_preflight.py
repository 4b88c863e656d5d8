"""The pre-flight's judgements that need no image: metric types by name, the
exposition read, the table printed."""

from runbook_drill.harness.contract.lines import BY_ID
from runbook_drill.harness.checks.metrics import expected_type
from runbook_drill.harness.contract.preflight import Result, judged_elsewhere, metric_types, render, unmet_record


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


def _results(**met):
    return [Result(BY_ID[line_id.replace("_", ".", 1)], ok, f"seen for {line_id}") for line_id, ok in met.items()]


def test_an_unmet_runbook_line_is_a_failed_case_of_the_run_naming_the_line_and_its_runbook_source():
    from runbook_drill.harness.report import junit
    from runbook_drill.harness.run.suite import exit_code

    results = _results(process_exits=False, probe_live=True, users_create=True)
    case = unmet_record(results, "team/user-api:2.4", 100.0, 106.0)
    assert case.scenario == "contract" and case.status == "failed" and len(case.verdicts) == 1
    verdict = case.verdicts[0]
    assert verdict.check.startswith("process.exits:") and verdict.status == "fail"
    assert verdict.evidence["runbook"] == "Health Checks > Liveness Probe: Failure action: Restart pod"
    assert exit_code([case]) == 1 and "process.exits" in junit.render([case])


def test_every_line_met_or_only_a_drive_line_unmet_makes_no_case():
    assert unmet_record(_results(process_exits=True), "i", 0, 1) is None
    assert unmet_record(_results(users_create=False), "i", 0, 1) is None  # stops the run instead (exit 3)


def test_the_scenarios_said_to_judge_an_unmet_line_are_only_those_the_run_has():
    results = _results(process_exits=False, auth_invalid_token=False)
    assert judged_elsewhere(results, {"db-refused"}) == {"process.exits": ["db-refused"], "auth.invalid_token": []}


def test_every_scenario_a_line_names_as_its_judge_exists():
    from runbook_drill import scenarios
    from runbook_drill.harness.contract.lines import LINES
    from runbook_drill.harness.runbook import Runbook

    ids = {s.id for s in scenarios.build(Runbook())}
    assert {judge for line in LINES for judge in line.judged_by} <= ids


def test_the_contract_case_renders_in_the_report_page_and_the_summary_like_a_scenario(tmp_path):
    from runbook_drill.harness.report import html, summary
    from runbook_drill.harness.runbook import Runbook

    case = unmet_record(_results(auth_invalid_token=False), "team/user-api:2.4", 100.0, 106.0)
    page = html.render([case], Runbook(), "run")
    assert "contract" in page and "auth.invalid_token" in page
    assert "contract" in summary.render([case], "run", {"report": tmp_path / "index.html"})


def test_the_greedy_burst_trips_a_fixed_window_limiter_wherever_the_windows_edge_falls():
    from runbook_drill.harness.contract.preflight import GREEDY_REQUESTS, KNOB_LIMIT

    limit = int(KNOB_LIMIT["rate_limit_requests"])
    # A limiter whose windows are aligned to the clock: the burst splits k + (n - k) at an edge.
    assert all(max(k, GREEDY_REQUESTS - k) > limit for k in range(GREEDY_REQUESTS + 1))
