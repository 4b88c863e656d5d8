"""A kill's margin: the deciding figure against its bound, oriented so 1.0 is at the
bound; under 1.5x is weak, a check without a figure is categorical."""

import math

from runbook_drill.harness.checks import margins
from runbook_drill.harness.mutation.catalog import Mutant
from runbook_drill.harness.mutation.matrix import KILLED, Matrix, Row, cell

P99 = {"p99_ms": 598.0, "answered": 300, "bound": {"figure": "p99_ms", "op": "<", "value": 500}}


def test_a_p99_just_past_its_threshold_is_a_weak_kill():
    found = margins.of("p99 latency of GET /users < 500 ms", P99)
    assert (found.figure, found.bound, round(found.ratio, 3), found.weak) == (598.0, 500, 1.196, True)
    assert found.describe() == "598 vs 500 (1.2x)"


def test_a_symptom_claimed_above_a_bound_and_absent_is_infinitely_far():
    found = margins.of("500 rate > 1.0%", {"error_rate": 0.0, "bound": {"figure": "error_rate", "op": ">",
                                                                         "value": 0.01}})
    assert math.isinf(found.ratio) and not found.weak and found.to_json()["ratio"] == "inf"


def test_connections_not_given_back_are_judged_on_the_replica_furthest_from_its_baseline():
    found = margins.of("pool back", {"baseline_peak": {"r0": 1.0, "r1": 2.0}, "end": {"r0": 4.0, "r1": 7.0},
                                     "slack": 1})
    assert (found.figure, found.bound, round(found.ratio, 2)) == (7.0, 3.0, 2.33)


def test_a_check_without_a_figure_is_categorical_never_weak():
    found = margins.of("the service logs show ERROR 'connection refused'", {"matching": 0})
    assert found.ratio is None and not found.weak and found.describe() == "categorical"


MUTANT = Mutant(id="n-plus-one", violates="claim incident.2024-08-10", line="L145: x", caught_by=("s",),
                reason="p99 latency of GET /users", defect="d", patch="", path=None)


def test_the_matrix_lists_a_mutant_killed_only_weakly_and_is_not_sound():
    record = record_of(scenario="s", status="failed", verdicts=[
        {"check": "p99 latency of GET /users < 500 ms", "status": "fail", "evidence": P99},
        {"check": "error rate < 1.0%", "status": "fail", "evidence": {"error_rate": 0.5, "bound": {
            "figure": "error_rate", "op": "<", "value": 0.01}}}])  # wide, but not the documented reason
    found = cell(MUTANT, record)
    assert found.outcome == KILLED and found.margin["ratio"] == 1.196
    matrix = Matrix([Row("n-plus-one", "L145: x", "d", "r", "img", [found])], {"s": "passed"})
    assert matrix.weak() == ["n-plus-one"] and not matrix.sound()
    assert '"weak": [\n    "n-plus-one"\n  ]' in matrix.to_json()


# Passes: the same measurement, read from the other side -------------------------------

from runbook_drill.harness import checks  # noqa: E402
from runbook_drill.harness.checks import PASS  # noqa: E402
from tests.support.histories import history_with, probes, requests_  # noqa: E402
from runbook_drill.harness.checks.base import Verdict
from tests.support.journals import record_of


def test_a_p99_well_under_its_threshold_is_a_pass_with_room_and_one_near_it_is_marginal():
    fast = checks.latency("w", below_ms=500).evaluate(history_with(*requests_([200] * 150, latency=0.2)))
    near = checks.latency("w", below_ms=500).evaluate(history_with(*requests_([200] * 150, latency=0.45)))
    assert fast.status == near.status == PASS
    assert (round(fast.margin().ratio, 2), fast.margin().marginal) == (2.5, False)
    assert (round(near.margin().ratio, 2), near.margin().marginal) == (1.11, True)


def test_a_share_near_one_is_measured_on_its_rarer_side():
    every = checks.error_rate("w", above=0.95, statuses={503}).evaluate(history_with(*requests_([503] * 200)))
    assert every.status == PASS and math.isinf(every.margin().ratio) and not every.margin().marginal
    most = checks.error_rate("w", above=0.95, statuses={503}).evaluate(
        history_with(*requests_([503] * 192 + [500] * 8)))
    found = most.margin()
    assert most.status == PASS and (found.figure, found.bound, found.room, found.marginal) == (0.04, 0.05, 2, True)


def test_a_rate_with_no_errors_is_not_marginal_but_one_error_from_the_bound_is():
    clean = checks.error_rate("w", below=0.01).evaluate(history_with(*requests_([200] * 150)))
    assert clean.status == PASS and not clean.margin().marginal
    one = checks.error_rate("w", below=0.01).evaluate(history_with(*requests_([200] * 149 + [500])))
    assert one.status == PASS and (one.margin().room, one.margin().marginal) == (1, True)


def test_every_probe_is_a_claim_by_kind_and_a_share_of_probes_has_a_room():
    every = checks.probe_status("r0", "/health/ready", 200, "w").evaluate(
        history_with(*probes("r0", "/health/ready", [200] * 20)))
    assert every.status == PASS and every.margin().ratio is None and not every.margin().marginal
    failing = checks.probe_fails("r0", "/health/ready", "w", share=0.95).evaluate(
        history_with(*probes("r0", "/health/ready", [503] * 40)))
    assert failing.status == PASS and failing.margin().room == 3 and not failing.margin().marginal


def test_a_verdict_keeps_its_margin_in_the_journal_form_and_reads_it_back():
    verdict = checks.latency("w", below_ms=500).evaluate(history_with(*requests_([200] * 150, latency=0.45)))
    data = verdict.to_json()
    assert data["margin"]["marginal"] is True and data["margin"]["passed"] is True
    again = margins.Margin.from_json(data["margin"])
    assert again.marginal and again.describe() == verdict.margin().describe()
    assert [m.check for m in margins.marginal([Verdict.from_json(data)])] == [verdict.check]


def test_a_count_within_its_tolerance_is_measured_against_the_nearer_edge():
    exact = margins.of("moves by", {"moved": 60, "bound": {"figure": "moved", "op": "~", "value": 60,
                                                            "tolerance": 3}}, passed=True)
    edge = margins.of("moves by", {"moved": 62.5, "bound": {"figure": "moved", "op": "~", "value": 60,
                                                             "tolerance": 3}}, passed=True)
    assert math.isinf(exact.ratio) and not exact.marginal and round(edge.ratio, 2) == 1.2 and edge.marginal


def test_a_level_reached_is_an_event_not_a_degree():
    reached = margins.of("pool reaches 2", {"max": 2, "bound": {"figure": "max", "op": ">=", "value": 2,
                                                                "reached_is_categorical": True}}, passed=True)
    missed = margins.of("pool reaches 2", {"max": 1, "bound": {"figure": "max", "op": ">=", "value": 2,
                                                               "reached_is_categorical": True}})
    assert reached.ratio is None and not reached.marginal and missed.ratio == 2.0
