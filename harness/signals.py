"""SIGTERM as an exception: so a terminated run unwinds like Ctrl-C - every context
manager (stack, fault, observers) runs its cleanup before the process exits."""

import signal


def _raise(signum, frame):
    raise SystemExit(128 + signum)


def install() -> None:
    """Makes SIGTERM raise SystemExit(143) in the main thread."""
    signal.signal(signal.SIGTERM, _raise)
