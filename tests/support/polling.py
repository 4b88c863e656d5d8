"""Poll a condition with a deadline: the only way these tests wait for anything."""

from __future__ import annotations

import time
from typing import Callable, TypeVar

T = TypeVar("T")


def eventually(probe: Callable[[], T], timeout: float, interval: float = 0.1,
               what: str = "condition") -> T:
    """Returns the first truthy result of `probe()` within `timeout` seconds.

    Exceptions from `probe` count as "not yet". Raises AssertionError naming `what` and
    the last result or exception when the deadline passes.
    """
    deadline = time.monotonic() + timeout
    last: object = None
    while True:
        try:
            result = probe()
            if result:
                return result
            last = result
        except Exception as exc:  # not ready yet; keep the reason for the message
            last = exc
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what} not met within {timeout:g}s (last: {last!r})")
        time.sleep(interval)
