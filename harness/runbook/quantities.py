"""Quantities as a runbook writes them: durations in any common unit (`500ms`, `500 ms`,
`0.5s`, `0.5 seconds`, `5 minutes`, `30min`, `1hr`), percentages (`1%`, `1 %`,
`1 percent`) and the comparison words that stand for a sign (`>`, `over`, `above`,
`more than`, `greater than`, `exceeds`). Each is a regular-expression fragment with one
group for the number and one for the unit, and a function that turns the match into the
canonical unit the suite judges in (milliseconds, seconds, a fraction)."""

from __future__ import annotations

import re

ABOVE = r"(?:>=?|≥|over|above|(?:more|greater|higher)\s+than|exceed(?:s|ing)?)"
NUMBER = r"(\d+(?:\.\d+)?|\.\d+)"
# Longest spellings first: "ms" before "m", "minutes" before "min".
_UNITS = {"milliseconds": 0.001, "millisecond": 0.001, "msecs": 0.001, "msec": 0.001, "ms": 0.001,
          "seconds": 1, "second": 1, "secs": 1, "sec": 1, "s": 1,
          "minutes": 60, "minute": 60, "mins": 60, "min": 60, "m": 60,
          "hours": 3600, "hour": 3600, "hrs": 3600, "hr": 3600, "h": 3600}
UNIT = "(" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")\b"
DURATION = NUMBER + r"\s*" + UNIT
PERCENT = NUMBER + r"\s*(%|percent\b|per\s*cent\b)"


def seconds(number: str, unit: str) -> float:
    """Returns the duration `number` `unit` in seconds; raises KeyError on an unknown unit."""
    return float(number) * _UNITS[unit.lower()]


def milliseconds(number: str, unit: str) -> float:
    """Returns the duration `number` `unit` in milliseconds (rounded to a microsecond,
    so 0.5 s is exactly 500.0)."""
    return round(seconds(number, unit) * 1000, 3)


def fraction(number: str) -> float:
    """Returns a percentage's number as a fraction (1 -> 0.01)."""
    return float(number) / 100


def whole(value: float) -> float | int:
    """Returns `value` as an int when it is whole (300.0 -> 300), else unchanged."""
    return int(value) if float(value).is_integer() else value

