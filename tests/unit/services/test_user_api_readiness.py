"""The User API's readiness log names the failing cause each time it changes."""

import logging

from services.user_api.app import ReadinessLog

LOST = {"database": {"ok": False, "error": "DatabaseError: database connection lost"}, "redis": {"ok": True}}
REFUSED = {"database": {"ok": False, "error": "DatabaseError: database connection refused"}, "redis": {"ok": True}}
HEALTHY = {"database": {"ok": True}, "redis": {"ok": True}}


def _errors(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]


def test_a_failure_whose_cause_changes_is_logged_again_with_the_new_cause(caplog):
    readiness = ReadinessLog(repeat_s=3600)
    with caplog.at_level(logging.INFO, logger="user_api"):
        readiness.report(False, LOST)
        readiness.report(False, REFUSED)
    assert [("lost" in m, "refused" in m) for m in _errors(caplog)] == [(True, False), (False, True)]


def test_the_same_cause_is_not_repeated_before_the_repeat_interval(caplog):
    readiness = ReadinessLog(repeat_s=3600)
    with caplog.at_level(logging.INFO, logger="user_api"):
        for _ in range(5):
            readiness.report(False, REFUSED)
    assert len(_errors(caplog)) == 1


def test_recovery_is_logged_at_info_and_a_new_failure_at_error_again(caplog):
    readiness = ReadinessLog(repeat_s=3600)
    with caplog.at_level(logging.INFO, logger="user_api"):
        readiness.report(False, REFUSED)
        readiness.report(True, HEALTHY)
        readiness.report(False, REFUSED)
    infos = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert infos == ["readiness check passed again"] and len(_errors(caplog)) == 2
