"""Log checks on hand-built lines: by level and text, across every replica."""

from runbook_drill.harness import checks
from runbook_drill.harness.checks import FAIL, PASS, UNKNOWN
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


def _collected(*lines: str):
    from runbook_drill.harness.observe.history import History
    from runbook_drill.harness.observe.observers import record_log_lines

    history = History()
    record_log_lines(history, "replica-0", "".join(f"2026-12-02T10:00:0{n}.000000000Z {line}\n"
                                                   for n, line in enumerate(lines)))
    start = history.events("log")[0].t
    history.mark("w", start - 1, start + 60)
    return history


def _found(history, text: str) -> str:
    return checks.log_line(checks.REPLICAS, "ERROR", text, "w").evaluate(history).status


def test_an_error_line_is_found_as_grep_reads_it_in_json_logfmt_and_plain_text():
    json_line = '{"ts": "t", "level": "ERROR", "message": "database connection refused: [Errno 111]"}'
    logfmt = 'time=t level=ERROR msg="database connection refused" err="dial tcp: refused"'
    plain = "2026-12-02T10:00:00Z ERROR database connection refused: dial tcp 10.0.0.3:15432"
    for line in (json_line, logfmt, plain):
        assert _found(_collected(line), "connection refused") == PASS, line


def test_a_line_without_the_level_word_or_without_the_symptom_is_not_found():
    history = _collected("2026-12-02T10:00:00Z WARN database connection refused",
                         "level=info msg=\"database connection refused\"",
                         "2026-12-02T10:00:00Z ERROR cache miss")
    assert _found(history, "connection refused") == FAIL


def test_json_and_logfmt_lines_keep_their_level_and_message_for_the_report():
    from runbook_drill.harness.observe.observers import parse_log_line

    assert parse_log_line('{"level": "error", "msg": "pool exhausted"}') == ("ERROR", "pool exhausted")
    assert parse_log_line('level=error msg="pool exhausted" n=2') == ("ERROR", "pool exhausted")
    assert parse_log_line("ERROR pool exhausted") == ("", "ERROR pool exhausted")
