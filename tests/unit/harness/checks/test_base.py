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


def _decided(statuses) -> bool:
    history = history_with(*requests_(statuses))
    return checks.error_rate("w", below=0.01).decided(history, history.windows["w"])


def test_a_pass_one_stray_request_from_flipping_is_not_decided_until_more_samples_widen_its_room():
    # 1 error in 111 answers: a pass at 0.9%, and a second error would fail it - the window waits.
    assert not _decided([200] * 110 + [500])
    assert _decided([200] * 499 + [500])  # the same error among 500: room enough, decided
    assert _decided([200] * 111)  # no error: decided as soon as there are enough samples
    assert _decided([200] * 109 + [500, 500])  # a failure is decided
