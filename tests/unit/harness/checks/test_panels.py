"""What a dashboard panel showed: over its line under the fault, under it at steady
state; a panel on a metric the service does not export shows nothing, and fails."""

from runbook_drill.harness.checks import FAIL, PASS, UNKNOWN, panel_shows, panels_found
from runbook_drill.harness.observe.history import History, Window


def _shown(values, start=100.0):
    history = History()
    for i, value in enumerate(values):
        history.record("query", "prometheus", t=start + i, name="Error rate", value=value)
    return history


def _judge(check, history, length):
    return check.judge(history, Window(check.window, 100.0, 100.0 + length))


def test_a_panel_over_its_line_at_some_evaluation_under_the_fault_passes_and_never_over_fails():
    over = panel_shows("Error rate", "fault", above=0.01)
    status, evidence = _judge(over, _shown([0.0, 0.004, 0.03, 0.05, 0.02, 0.0, 0.0, 0.0, 0.0]), 9)
    assert status == PASS and evidence["top"] == 0.05
    assert _judge(over, _shown([0.0, 0.004, 0.006, 0.005, 0.002, 0.0, 0.0, 0.0, 0.0]), 9)[0] == FAIL


def test_a_panel_on_a_metric_not_exported_shows_nothing_and_fails_at_once():
    status, evidence = _judge(panel_shows("Error rate", "fault", above=0.01), _shown([None, None, None]), 3)
    assert status == FAIL and evidence["empty"] == 3


def test_not_over_the_line_yet_in_a_young_window_is_undecided_and_too_few_evaluations_unknown():
    over = panel_shows("Error rate", "fault", above=0.01)
    assert _judge(over, _shown([0.0, 0.004, 0.006]), 3)[0] == UNKNOWN
    assert _judge(over, _shown([0.5]), 1)[0] == UNKNOWN


def test_at_steady_state_no_error_series_is_under_the_line_and_one_over_it_fails():
    under = panel_shows("Error rate", "steady", below=0.01)
    assert _judge(under, _shown([None, None, 0.0, 0.002]), 4)[0] == PASS
    assert _judge(under, _shown([0.0, 0.02, 0.0]), 3)[0] == FAIL


def test_a_dashboard_with_no_error_pattern_panel_fails():
    assert panels_found([], "fault").judge(History(), Window("fault", 0, 1))[0] == FAIL
    assert panels_found(["Error rate"], "fault").judge(History(), Window("fault", 0, 1))[0] == PASS


def test_at_steady_state_an_evaluation_reaching_back_before_the_window_shows_the_last_scenario_and_is_left_out():
    under = panel_shows("Error rate", "steady", below=0.01, lookback_s=5.0)
    lingering = _shown([0.2, 0.1, 0.05, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])  # the last scenario's errors decaying
    status, evidence = _judge(under, lingering, 10)
    assert status == PASS and evidence["evaluations"] == 5
    assert _judge(under, _shown([0.2, 0.1, 0.05, 0.0, 0.0]), 5)[0] == UNKNOWN  # nothing of its own yet
