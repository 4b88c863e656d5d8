"""What every check shares: a missing window or a crashing check is unknown, never a
pass."""

from runbook_drill.harness import checks
from runbook_drill.harness.checks import UNKNOWN
from tests.support.histories import history_with, requests_


def test_a_missing_window_or_a_crashing_check_is_unknown():
    history = history_with(*requests_([200]))
    assert checks.error_rate("nope", below=0.01).evaluate(history).status == UNKNOWN
    broken = checks.Check("broken", "w", lambda h, w: 1 / 0)
    verdict = broken.evaluate(history)
    assert verdict.status == UNKNOWN and "ZeroDivisionError" in verdict.evidence["reason"]
