"""Waiting on a condition with a deadline: how the harness, its tests and its
benchmarks wait for anything (never a bare sleep)."""

from __future__ import annotations

import time
from typing import Callable, TypeVar

from runbook_drill.harness.errors import HarnessError

T = TypeVar("T")


class ConditionNotMet(HarnessError, AssertionError):
    """A condition polled with a deadline did not hold in time. An AssertionError too:
    in a test it reads as the failed expectation it is."""


def eventually(probe: Callable[[], T], timeout: float, interval: float = 0.1, what: str = "condition") -> T:
    """Returns the first truthy result of `probe()` within `timeout` seconds. Exceptions
    from `probe` count as "not yet". Raises ConditionNotMet naming `what` and the last
    result or exception when the deadline passes."""
    deadline = time.monotonic() + timeout
    last: object = None
    while True:
        try:
            result = probe()
            if result:
                return result
            last = result
        except Exception as exc:  # not reachable yet, not started yet: keep the reason
            last = exc
        if time.monotonic() >= deadline:
            raise ConditionNotMet(f"{what} not met within {timeout:g}s (last: {last!r})")
        time.sleep(interval)


def wait_until(condition: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    """Returns True as soon as `condition()` is true, False once `timeout` seconds have
    passed without it. Exceptions from `condition` count as "not yet"."""
    try:
        return bool(eventually(condition, timeout, interval))
    except ConditionNotMet:
        return False
