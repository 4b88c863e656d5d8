"""A kill's margin: the deciding figure against its bound, oriented so 1.0 is at the
bound; under 1.5x is weak, a check without a figure is categorical."""

import math

from harness.mutation import margins
from harness.mutation.catalog import Mutant
from harness.mutation.matrix import KILLED, Matrix, Row, cell

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
    record = {"scenario": "s", "status": "failed", "error": "", "verdicts": [
        {"check": "p99 latency of GET /users < 500 ms", "status": "fail", "evidence": P99},
        {"check": "error rate < 1.0%", "status": "fail", "evidence": {"error_rate": 0.5, "bound": {
            "figure": "error_rate", "op": "<", "value": 0.01}}}]}  # wide, but not the documented reason
    found = cell(MUTANT, record)
    assert found.outcome == KILLED and found.margin["ratio"] == 1.196
    matrix = Matrix([Row("n-plus-one", "L145: x", "d", "r", "img", [found])], {"s": "passed"})
    assert matrix.weak() == ["n-plus-one"] and not matrix.sound()
    assert '"weak": [\n    "n-plus-one"\n  ]' in matrix.to_json()
