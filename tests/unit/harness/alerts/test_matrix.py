"""The alert matrix: what fired per scenario against what the runbook expects - the own
section's alert must, a Common cause's alert may, any other is an unexplained page."""

from types import SimpleNamespace

from runbook_drill.harness.alerts import matrix
from runbook_drill.harness.report import html, summary
from runbook_drill.harness.runbook import RUNBOOK, Runbook
from runbook_drill.suite import alerts_gate
from tests.support.journals import record_of

T0 = 1000.0


def _record(scenario, section, fault, firing_at: dict, paged: set = frozenset(), before: set = frozenset()):
    """A scenario's record whose alert polls say `firing_at` (alert -> seconds after the
    injection at T0) and whose pager got `paged`; `before`: firing before the injection."""
    events = [{"kind": "alerts", "source": "prometheus", "t": T0 - 1, "data": {"firing": sorted(before)}}]
    for second in range(0, 20):
        firing = sorted({*before, *(a for a, at in firing_at.items() if at <= second)})
        events.append({"kind": "alerts", "source": "prometheus", "t": T0 + second, "data": {"firing": firing}})
    for alert in paged:
        events.append({"kind": "page", "source": "pager", "t": T0 + firing_at[alert] + 0.5,
                       "data": {"status": "firing", "alerts": [{"name": alert, "status": "firing"}]}})
    windows = {"injected": {"name": "injected", "start": T0, "end": T0 + 10},
               "fault": {"name": "fault", "start": T0, "end": T0 + 10}}
    return record_of(scenario=scenario, runbook=section, fault=fault, start=T0 - 5, end=T0 + 20,
                     history={"windows": windows, "events": sorted(events, key=lambda e: e["t"])})


REFUSED = {"kind": "dependency_refused", "params": {"dependency": "postgres"}}
EXPECTED = matrix.expectations(Runbook(RUNBOOK))
CAUSES = {"ServiceDown": {"dependency_refused:postgres"}, "HighErrorRate": set(), "HighLatency": set()}


def test_the_runbooks_alerts_and_their_common_causes_are_read_from_the_quick_response_sections():
    book = Runbook(RUNBOOK)
    causes = {e.alert: [book.lines[n - 1].strip() for n in e.cause_lines] for e in EXPECTED}
    assert causes["HighErrorRate"] == ["- Database query timeouts", "- Invalid authentication tokens",
                                       "- Rate limiting triggered"]
    assert causes["ServiceDown"][0].startswith("- Database connection failure") and len(causes["HighLatency"]) == 4


def test_a_cause_is_the_fault_a_scenario_proving_that_cause_line_injects():
    line = next(e for e in EXPECTED if e.alert == "ServiceDown").cause_lines[0]
    proving = SimpleNamespace(proves=[f"L{line}: - Database connection failure"],
                              fault=lambda: SimpleNamespace(describe=lambda: REFUSED))
    unrelated = SimpleNamespace(proves=["L3: On-call procedures"], fault=lambda: SimpleNamespace(
        describe=lambda: {"kind": "redis_flushed", "params": {}}))
    assert matrix.causes(EXPECTED, [proving, unrelated])["ServiceDown"] == {"dependency_refused:postgres"}


def test_an_alert_outside_the_sections_causes_is_an_unexplained_page_and_strict_makes_it_a_deviation():
    records = [_record("health-db-down", "Health Checks", REFUSED, {"ServiceDown": 4, "HighErrorRate": 2},
                       paged={"HighErrorRate"})]
    found = matrix.build(records, EXPECTED, CAUSES)
    cells = {c.alert: c for c in found.cells}
    assert (cells["ServiceDown"].state, cells["ServiceDown"].expected) == ("fired", "may")
    assert (cells["HighErrorRate"].state, cells["HighErrorRate"].expected, cells["HighErrorRate"].firing_s) == (
        "paged", "no", 2)
    assert [c.alert for c in found.unexplained()] == ["HighErrorRate"] and cells["HighLatency"].state == "quiet"
    assert alerts_gate(found, strict=True, code=0) == 1 and alerts_gate(found, strict=False, code=0) == 0
    assert alerts_gate(found, strict=True, code=3) == 3
    assert "unexplained" in html.render(records, Runbook(RUNBOOK), "t", alert_matrix=found)
    said = summary.render(records, "t", {}, alert_matrix=found)
    assert "**Unexplained pages**: 1" in said and "- health-db-down: HighErrorRate paged at 2.0 s" in said


def test_a_scenario_of_an_alerts_own_section_must_page_it_and_a_quiet_one_is_missed():
    records = [_record("down-db-refused", "Service is Down", REFUSED, {"ServiceDown": 5}),
               _record("errors-rate-limited", "High Error Rate", {"kind": "none", "params": {}}, {})]
    found = matrix.build(records, EXPECTED, CAUSES)
    down = next(c for c in found.cells if c.scenario == "down-db-refused" and c.alert == "ServiceDown")
    quiet = next(c for c in found.cells if c.scenario == "errors-rate-limited" and c.alert == "HighErrorRate")
    assert down.expected == "must" and not down.unexplained and quiet.missed and not found.unexplained()
    assert found.scores()["ServiceDown"] == {"precision": 1.0, "recall": 1.0}
    assert found.scores()["HighErrorRate"] == {"precision": None, "recall": 0.0}


def test_an_alert_already_firing_before_the_injection_is_not_this_scenarios_and_one_after_the_fault_says_so():
    records = [_record("health-replica-unready", "Health Checks", {"kind": "replica_unready", "params": {}},
                       {"HighLatency": 14}, before={"HighErrorRate"})]
    found = matrix.build(records, EXPECTED, CAUSES)
    cells = {c.alert: c for c in found.cells}
    assert cells["HighErrorRate"].state == "quiet" and cells["HighLatency"].phase == "remediation"
