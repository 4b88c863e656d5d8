"""What every service does first: read its configuration or stop with one line."""

from __future__ import annotations

import sys
from typing import Callable, TypeVar

from .settings import SettingError

T = TypeVar("T")


def config_or_exit(load: Callable[[], T], program: str) -> T:
    """Returns the loaded configuration; on a bad value prints
    "<program>: configuration error: ..." on stderr and exits 2."""
    try:
        return load()
    except SettingError as exc:
        print(f"{program}: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
