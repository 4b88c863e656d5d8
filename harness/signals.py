"""`drill` owns its signals: SIGINT and SIGTERM both mean "stop, heal, clean up, exit
130/143", however the process was launched; SIGUSR1 is the kill switch (`drill abort`):
the same unwinding as Ctrl-C, raised as Aborted with who asked, exit 130.

Why install SIGINT explicitly: a command started as a background job of a
non-interactive shell (as CI systems and wrappers do) inherits SIGINT as *ignored*, and
Python then installs no KeyboardInterrupt handler - Ctrl-C would be dropped silently.

The first signal raises in the main thread, so every context manager (stack, fault,
observers) unwinds. A second one while that cleanup runs is reported and otherwise
ignored: an interrupted cleanup is what leaks containers and half-applied faults (every
cleanup step is bounded in time, so the wait is too)."""

from __future__ import annotations

import signal
import sys

EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGUSR1: 130}
_received: list[int] = []
_abort_reason: list = [lambda: "a SIGUSR1 signal"]


class Aborted(BaseException):
    """The kill switch was pulled: like Ctrl-C, not an error of the code that was running."""

    def __init__(self, by: str) -> None:
        super().__init__(f"aborted by {by}")
        self.by = by


def on_abort(reason) -> None:
    """Sets the callable that says who pulled the kill switch (read when it is pulled)."""
    _abort_reason[0] = reason


def _on_signal(signum, frame):
    if _received:
        print(f"drill: {signal.Signals(signum).name} again: still cleaning up, please wait", file=sys.stderr)
        return
    _received.append(signum)
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    if signum == signal.SIGUSR1:
        raise Aborted(_abort_reason[0]())
    raise SystemExit(EXIT_CODES[signum])


def install() -> None:
    """Makes SIGINT raise KeyboardInterrupt, SIGTERM SystemExit(143) and SIGUSR1 Aborted
    in the main thread, whatever disposition the process inherited."""
    _received.clear()
    for signum in EXIT_CODES:
        signal.signal(signum, _on_signal)


def received() -> int | None:
    """Returns the first signal received since install(), or None."""
    return _received[0] if _received else None


def exit_code(default: int = 130) -> int:
    """Returns the exit code for the signal that stopped the run (130 or 143)."""
    return EXIT_CODES.get(received(), default)
