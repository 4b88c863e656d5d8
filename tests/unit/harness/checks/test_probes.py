"""Probe checks on hand-built histories: status shares, unanswered probes, a status
reached in time and kept."""

from runbook_drill.harness import checks
from runbook_drill.harness.checks import FAIL, PASS, UNKNOWN
from tests.support.histories import history_with, probes


def test_probe_share_passes_fails_and_is_unknown_without_probes():
    history = history_with(*probes("r0", "/health/ready", [503] * 9 + [200]))
    assert checks.probe_status("r0", "/health/ready", 503, "w", share=0.9).evaluate(history).status == PASS
    assert checks.probe_status("r0", "/health/ready", 503, "w").evaluate(history).status == FAIL
    assert checks.probe_status("r1", "/health/ready", 503, "w").evaluate(history).status == UNKNOWN


def test_a_probe_without_an_answer_is_unknown_neither_the_status_nor_a_mismatch():
    history = history_with(*probes("r0", "/health/ready", [503] * 8 + [None]))
    verdict = checks.probe_status("r0", "/health/ready", 503, "w", share=0.95).evaluate(history)
    assert verdict.status == PASS and verdict.evidence["unanswered"] == 1 and verdict.evidence["share"] == 1.0
    history = history_with(*probes("r0", "/health/ready", [503] * 7 + [200] + [None]))
    assert checks.probe_status("r0", "/health/ready", 503, "w").evaluate(history).status == FAIL


def test_a_claim_of_no_answer_counts_every_probe():
    history = history_with(*probes("r0", "/health/live", [None] * 9 + [200]))
    assert checks.probe_status("r0", "/health/live", None, "w", share=0.9).evaluate(history).status == PASS
    assert checks.probe_status("r0", "/health/live", None, "w").evaluate(history).status == FAIL


def test_too_many_probes_without_an_answer_make_the_share_unknown():
    history = history_with(*probes("r0", "/health/live", [200] * 7 + [None] * 3))
    verdict = checks.probe_status("r0", "/health/live", 200, "w").evaluate(history)
    assert verdict.status == UNKNOWN and verdict.evidence["reason"] == "3 of 10 probes got no answer"
    history = history_with(*probes("r0", "/health/live", [None] * 4))
    assert checks.probe_status("r0", "/health/live", 200, "w").evaluate(history).status == UNKNOWN


def test_within_measures_the_time_to_a_lasting_status():
    history = history_with(*probes("r0", "/health/ready", [503, 503, 200, 503, 200, 200], start=10),
                           windows=(("w", 10, 100),))
    verdict = checks.probe_status_within("r0", "/health/ready", 200, "w", 5).evaluate(history)
    assert verdict.status == PASS and verdict.evidence["seconds_to_status"] == 4
    assert checks.probe_status_within("r0", "/health/ready", 200, "w", 3).evaluate(history).status == FAIL
