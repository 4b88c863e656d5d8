import itertools

import pytest

from runbook_drill.harness.errors import HarnessError
from runbook_drill.harness.polling import ConditionNotMet, eventually, wait_until


def test_a_condition_that_holds_returns_true_at_once():
    assert wait_until(lambda: True, timeout=0)


def test_a_condition_that_never_holds_returns_false_after_the_timeout():
    calls = itertools.count()
    assert not wait_until(lambda: next(calls) < 0, timeout=0.2, interval=0.05)
    assert next(calls) >= 3  # it kept polling until the deadline


def test_exceptions_count_as_not_yet():
    attempts = iter([ConnectionError("not up"), ConnectionError("not up"), True])

    def flaky():
        outcome = next(attempts)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    assert wait_until(flaky, timeout=5, interval=0.01)


def test_eventually_returns_the_first_truthy_result():
    values = iter([0, None, "ready"])
    assert eventually(lambda: next(values), timeout=5, interval=0.01) == "ready"


def test_eventually_past_its_deadline_names_what_it_waited_for_and_the_last_reason():
    def refused():
        raise ConnectionError("refused")

    with pytest.raises(ConditionNotMet, match=r"the API not met within 0.1s \(last: ConnectionError\('refused'\)\)"):
        eventually(refused, timeout=0.1, interval=0.02, what="the API")


def test_a_condition_not_met_is_a_harness_error_and_a_failed_expectation():
    assert issubclass(ConditionNotMet, HarnessError) and issubclass(ConditionNotMet, AssertionError)
