"""Waiting on a condition with a deadline: how the harness waits for anything."""

from __future__ import annotations

import time
from typing import Callable


def wait_until(condition: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    """Returns True as soon as `condition()` is true, False once `timeout` seconds have
    passed without it. Exceptions from `condition` count as "not yet"."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if condition():
                return True
        except Exception:  # not reachable yet, not started yet: keep polling
            pass
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
