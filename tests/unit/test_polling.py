import itertools

from harness.polling import wait_until


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
