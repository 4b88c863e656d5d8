"""The plan of a run, read before anything is touched: every scenario's faults with
their magnitude, what they touch and who feels it, the remediation, and the longest
time anything stays broken - bounded by the scenario's own windows."""

import dataclasses

from runbook_drill import scenarios
from runbook_drill.harness.faults import make
from runbook_drill.harness.run.plan import CALIBRATION_MAX_S, broken_for_s, plan
from runbook_drill.harness.run.scenario import Scenario
from runbook_drill.harness.runbook import RUNBOOK, Runbook

EVERY = scenarios.build(Runbook(RUNBOOK))


def test_every_scenario_has_a_plan_naming_what_each_fault_touches_and_its_blast_radius():
    for scenario in EVERY:
        one = plan(scenario)
        assert one.faults and one.faults[-1].kind == scenario.fault().kind, scenario.id
        for step in one.faults:
            assert step.touches and step.radius and "{" not in step.touches + step.radius, (scenario.id, step)
        text = "\n".join(one.lines())
        assert text.startswith(f"{scenario.id} ({scenario.runbook})") and "longest time" in text


def test_a_background_fault_is_planned_before_the_fault_and_marked_so():
    cache = next(s for s in EVERY if s.background)
    first, last = plan(cache).faults[0], plan(cache).faults[-1]
    assert first.background and not last.background
    assert "background, before the steady state" in "\n".join(plan(cache).lines())


def _scenario(**changes) -> Scenario:
    base = Scenario(id="x", runbook="High Latency", fault=lambda: make("dependency_latency", latency_ms=700),
                    during=[], settle_s=1, fault_s=4, sample_max_s=10)
    return dataclasses.replace(base, **changes)


def test_a_healed_fault_is_broken_from_its_injection_to_its_windows_upper_bound():
    assert broken_for_s(_scenario()) == 1 + 4 + 10
    assert broken_for_s(_scenario(calibrate=lambda *a: None)) == 1 + 4 + 10 + CALIBRATION_MAX_S


def test_a_fault_the_remediation_works_around_stays_broken_through_the_recovery():
    around = _scenario(heal_first=False, remediation=lambda stack: None, remediation_name="scale to 5 replicas")
    assert broken_for_s(around) > broken_for_s(_scenario()) + around.recovery_max_s
    assert "scale to 5 replicas, with the fault still in place" in "\n".join(plan(around).lines())


def test_the_magnitude_is_the_faults_own_values():
    step = plan(_scenario()).faults[0]
    assert step.magnitude["latency_ms"] == 700 and "latency 700 ms" in step.touches
