"""Alert and paging checks against hand-built histories: fired in time, too late, not
at all; paged or not; quiet or noisy; resolved or still firing; and missing data is
unknown. Also the detection times the journal keeps."""

from runbook_drill.harness.alerts.detection import describe, paging_times
from runbook_drill.harness import checks
from runbook_drill.harness.checks import FAIL, PASS, UNKNOWN
from tests.support.histories import history_with

RECEIVER = "primary-oncall-platform-team"


def polls(firing_from: float | None, until: float = 20, name: str = "ServiceDown", resolved_at: float = 1e9):
    return [("alerts", "prometheus", t / 2, {"firing": [name] if firing_from is not None and
                                                         firing_from <= t / 2 < resolved_at else [],
                                                "pending": []}) for t in range(0, int(until * 2))]


def page(t: float, name: str = "ServiceDown", status: str = "firing", receiver: str = RECEIVER):
    return ("page", "pager", t, {"receiver": receiver, "status": status,
                                 "alerts": [{"name": name, "status": status, "runbook_url": "r#s"}]})


def test_an_alert_firing_inside_its_bound_passes_and_says_when():
    verdict = checks.alert_fires("ServiceDown", "w", 8).evaluate(history_with(*polls(6), windows=[("w", 0, 20)]))
    assert verdict.status == PASS and verdict.evidence["seconds_to_firing"] == 6


def test_an_alert_firing_after_its_bound_fails():
    assert checks.alert_fires("ServiceDown", "w", 4).evaluate(
        history_with(*polls(6), windows=[("w", 0, 20)])).status == FAIL


def test_an_alert_that_never_fires_fails_once_the_bound_has_passed_and_is_undecided_before():
    history = history_with(*polls(None), windows=[("w", 0, 20)])
    assert checks.alert_fires("ServiceDown", "w", 8).evaluate(history).status == FAIL
    young = history_with(*polls(None, until=3), windows=[("w", 0, 3)])
    assert checks.alert_fires("ServiceDown", "w", 8).evaluate(young).status == UNKNOWN


def test_no_polls_of_prometheus_is_unknown_never_a_pass():
    history = history_with(windows=[("w", 0, 20)])
    for check in (checks.alert_fires("ServiceDown", "w", 8), checks.alerts_quiet(["HighLatency"], "w"),
                  checks.alert_resolves("ServiceDown", "w", 8)):
        assert check.evaluate(history).status == UNKNOWN


def test_quiet_passes_without_the_named_alerts_and_fails_when_one_fires():
    history = history_with(*polls(6), windows=[("w", 0, 20)])
    assert checks.alerts_quiet(["HighLatency"], "w").evaluate(history).status == PASS
    assert checks.alerts_quiet(["HighLatency", "ServiceDown"], "w").evaluate(history).status == FAIL


def test_a_page_to_the_primary_on_call_inside_its_bound_passes():
    history = history_with(page(7.5), windows=[("w", 0, 20)])
    verdict = checks.paged("ServiceDown", RECEIVER, "w", 10).evaluate(history)
    assert verdict.status == PASS and verdict.evidence["seconds_to_page"] == 7.5


def test_a_page_to_someone_else_or_for_another_alert_or_a_resolved_one_is_no_page():
    history = history_with(page(2, receiver="someone-else"), page(3, name="HighLatency"),
                           page(4, status="resolved"), windows=[("w", 0, 20)])
    assert checks.paged("ServiceDown", RECEIVER, "w", 10).evaluate(history).status == FAIL


def test_an_alert_that_stops_firing_inside_its_bound_resolves_and_one_still_firing_does_not():
    resolving = history_with(*polls(0, resolved_at=3), windows=[("w", 0, 20)])
    assert checks.alert_resolves("ServiceDown", "w", 8).evaluate(resolving).status == PASS
    stuck = history_with(*polls(0), windows=[("w", 0, 20)])
    assert checks.alert_resolves("ServiceDown", "w", 8).evaluate(stuck).status == FAIL


def test_series_present_names_what_prometheus_does_not_hold():
    history = history_with(("series", "prometheus", 0, {"names": ["http_requests_total"]}), windows=[("w", 0, 20)])
    verdict = checks.series_present(["http_requests_total", "haproxy_backend_active_servers"], "w").evaluate(history)
    assert verdict.status == FAIL and verdict.evidence["missing"] == ["haproxy_backend_active_servers"]


def test_paging_times_are_seconds_from_injection_to_firing_and_to_the_page():
    history = history_with(*polls(16), page(17.5), windows=[("fault", 10, 30)])
    assert paging_times(history) == {"ServiceDown": {"firing_s": 6.0, "paged_s": 7.5}}
    assert describe(paging_times(history)) == "ServiceDown 6.0 s, paged 7.5 s"
    assert paging_times(history_with(*polls(16), windows=[("steady", 0, 5)])) == {}


def test_a_page_before_the_poll_saw_the_alert_firing_is_the_firing_time():
    history = history_with(*polls(16), page(15.2), windows=[("fault", 10, 30)])
    assert paging_times(history) == {"ServiceDown": {"firing_s": 5.2, "paged_s": 5.2}}


def test_an_alert_already_firing_when_the_fault_began_has_no_detection_time():
    history = history_with(*polls(5), page(6), windows=[("fault", 10, 30)])
    assert paging_times(history) == {}


def test_a_page_from_an_earlier_step_of_the_same_fault_counts_as_early_with_since():
    from runbook_drill.harness.observe.history import History

    history = History()
    history.record("page", "pager", t=15, receiver="oncall", status="firing",
                   alerts=[{"name": "HighLatency", "status": "firing"}])
    history.mark("injected", 10, 40)
    history.mark("fault", 20, 40)  # the calibrated magnitude from t=20: the page came at t=15
    assert checks.paged("HighLatency", "oncall", "fault", 5).evaluate(history).status == checks.FAIL
    verdict = checks.paged("HighLatency", "oncall", "fault", 5, since="injected").evaluate(history)
    assert verdict.status == checks.PASS and verdict.evidence["seconds_to_page"] == 0
