"""The runbook's Grafana dashboard: built with Grafana's SDK and read back by its model,
the runbook's thresholds as the panels' lines, a panel per metric to monitor; the
error-pattern panels found in it (or a team's own) as the suite evaluates them; a run's
fault windows as annotations."""

from grafana_foundation_sdk.models import dashboard as grafana

from runbook_drill.harness.alerts import dashboard
from runbook_drill.harness.runbook import RUNBOOK, Runbook
from tests.support.journals import journal

BOOK = Runbook(RUNBOOK)


def test_the_dashboard_is_a_grafana_model_with_a_panel_per_metric_and_unique_ids():
    model = dashboard.build(BOOK)
    decoded = grafana.Dashboard.from_json(model)
    titles = [p["title"] for p in model["panels"]]
    assert decoded.title == "User API - runbook" and all(name in titles for name in BOOK.metric_names())
    assert len({p["id"] for p in model["panels"]}) == len(model["panels"])
    assert model["templating"]["list"][0]["type"] == "datasource"
    assert all(t["expr"] and t["refId"] for p in model["panels"] for t in p.get("targets", []))


def test_the_error_rate_and_p99_panels_draw_the_runbooks_thresholds():
    panels = {p["title"]: p for p in dashboard.build(BOOK)["panels"]}
    lines = {title: [s["value"] for s in panels[title]["fieldConfig"]["defaults"]["thresholds"]["steps"]]
             for title in ("Error rate", "p99 latency")}
    assert lines == {"Error rate": [None, 0.01], "p99 latency": [None, 0.5]}


def test_the_error_pattern_panels_are_those_naming_errors_with_a_line_their_window_set():
    found = dashboard.error_panels(dashboard.build(BOOK), "5s")
    assert sorted(found) == ["Error rate", "Error rate by status"]
    assert "[5s]" in found["Error rate"]["expr"] and "$__" not in found["Error rate"]["expr"]
    assert found["Error rate"]["threshold"] == 0.01


def test_a_teams_dashboard_is_read_inside_collapsed_rows_and_a_panel_without_a_line_is_not_one():
    team = {"panels": [
        {"type": "row", "title": "Errors", "collapsed": True, "panels": [
            {"title": "5xx errors", "targets": [{"expr": "sum(rate(errors[$__interval]))"}],
             "fieldConfig": {"defaults": {"thresholds": {"steps": [{"value": None}, {"value": 0.05}]}}}}]},
        {"title": "Error count", "targets": [{"expr": "sum(errors)"}]}]}
    assert dashboard.error_panels(team, "5s") == {"5xx errors": {"expr": "sum(rate(errors[5s]))", "threshold": 0.05}}


def test_a_runs_fault_windows_are_annotations_in_milliseconds():
    record = journal("db-refused", status="failed")
    (mark,) = dashboard.annotations([record])
    assert mark["dashboardUID"] == dashboard.UID and mark["tags"] == ["runbook-drill", "db-refused", "failed"]
    assert mark["time"] == int(record.history["windows"]["fault"]["start"] * 1000) < mark["timeEnd"]
