"""The suite's scenarios, without Docker: every runbook section the design names has its
scenarios, each says which runbook lines it proves, and the runbook's values - not
literals - decide what is judged."""

import pytest

from runbook_drill import scenarios
from runbook_drill.harness.errors import ConfigError
from runbook_drill.harness.runbook import RUNBOOK, Runbook

SECTIONS = ["Health Checks", "Service is Down", "High Error Rate", "High Latency", "Database Connection Failures",
            "Authentication Failures", "Memory Leaks", "Metrics to Monitor", "Recent Incidents"]


def _edited(tmp_path, old, new) -> Runbook:
    path = tmp_path / "runbook.md"
    path.write_text(RUNBOOK.read_text().replace(old, new))
    return Runbook(path)


def test_every_runbook_section_has_scenarios_and_ids_are_unique():
    built = scenarios.build(Runbook())
    assert {s.runbook for s in built} == set(SECTIONS)
    assert len({s.id for s in built}) == len(built)


def test_every_scenario_names_the_runbook_lines_it_proves_and_has_a_check_that_can_fail():
    book = Runbook()
    for scenario in scenarios.build(book):
        assert scenario.proves, scenario.id
        for anchor in scenario.proves:
            number, text = anchor[1:].split(": ", 1)
            assert book.lines[int(number) - 1].strip() == text, (scenario.id, anchor)
        assert scenario.during or scenario.after, scenario.id


def _descriptions(built, sid):
    scenario = next(s for s in built if s.id == sid)
    return [c.description for c in scenario.steady + scenario.during + scenario.after]


def test_a_threshold_edited_in_the_runbook_is_the_one_the_checks_use(tmp_path):
    edited = _edited(tmp_path, "High Latency (p99 >500ms)", "High Latency (p99 >750ms)")
    assert "p99 latency > 750 ms" in _descriptions(scenarios.build(edited), "latency-slow-queries")
    assert "p99 latency > 500 ms" in _descriptions(scenarios.build(Runbook()), "latency-slow-queries")


def test_a_symptom_string_edited_in_the_runbook_is_the_one_searched_for(tmp_path):
    edited = _edited(tmp_path, 'logs show "invalid token"', 'logs show "token rejected"')
    assert "the service logs ERROR containing 'token rejected'" in _descriptions(
        scenarios.build(edited), "auth-clock-skew")


def test_a_runbook_line_a_scenario_cites_that_is_gone_is_drift(tmp_path):
    edited = _edited(tmp_path, "- Rate limiting triggered\n", "")
    with pytest.raises(ConfigError, match="drift.*Rate limiting triggered"):
        scenarios.build(edited)


def test_selection_by_id_and_section_and_unknown_ones_are_one_line_errors():
    built = scenarios.build(Runbook())
    assert [s.id for s in scenarios.select(built, ["db-refused"], [])] == ["db-refused"]
    assert {s.runbook for s in scenarios.select(built, [], ["latency"])} == {"High Latency"}
    with pytest.raises(ConfigError, match="unknown scenario 'nope'"):
        scenarios.select(built, ["nope"], [])
    with pytest.raises(ConfigError, match="no scenario in a runbook section matching 'zzz'"):
        scenarios.select(built, [], ["zzz"])


def test_the_seed_reaches_every_locust_load():
    assert {s.load.seed for s in scenarios.build(Runbook(), seed=7) if s.load} == {7}


def test_the_n_plus_one_latency_is_derived_from_the_threshold_so_an_n_plus_one_page_costs_twice_it(tmp_path):
    from runbook_drill.scenarios.incidents import ANSWERS_PER_QUERY, PAGE, n_plus_one_latency_ms

    for threshold in (500, 1000):
        latency = n_plus_one_latency_ms(threshold)
        assert 1.9 <= (PAGE + 1) * ANSWERS_PER_QUERY * latency / threshold <= 2.1
    edited = _edited(tmp_path, "High Latency (p99 >500ms)", "High Latency (p99 >1000ms)")
    scenario = next(s for s in scenarios.build(edited) if s.id == "incident-n-plus-one")
    assert scenario.calibration["postgres_latency_ms"] == n_plus_one_latency_ms(1000) == 60
