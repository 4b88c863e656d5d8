"""Log checks on hand-built lines: by level and text, across every replica."""

from harness import checks
from harness.checks import FAIL, PASS, UNKNOWN
from tests.support.histories import history_with


def test_a_log_line_is_found_by_level_and_text():
    history = history_with(("log", "r0", 10, {"level": "ERROR", "message": "invalid token: expired"}),
                           ("log", "r0", 11, {"level": "INFO", "message": "connection refused (not an error)"}))
    assert checks.log_line("r0", "ERROR", "invalid token", "w").evaluate(history).status == PASS
    assert checks.log_line("r0", "ERROR", "connection refused", "w").evaluate(history).status == FAIL
    assert checks.log_line("r1", "ERROR", "x", "w").evaluate(history).status == UNKNOWN


def test_a_service_log_claim_reads_every_replica_whichever_one_logged_it():
    history = history_with(("log", "replica-0", 10, {"level": "ERROR", "message": "connection lost"}),
                           ("log", "replica-1", 11, {"level": "ERROR", "message": "connection refused"}),
                           ("log", "lb", 12, {"level": "ERROR", "message": "refused by lb"}))
    verdict = checks.log_line(checks.REPLICAS, "ERROR", "connection refused", "w").evaluate(history)
    assert verdict.status == PASS and verdict.evidence["by_source"] == {"replica-1": 1}
    assert checks.log_line(checks.REPLICAS, "ERROR", "by lb", "w").evaluate(history).status == FAIL
