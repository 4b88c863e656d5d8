"""The runbook as the oracle: thresholds and names are read from its text, never
re-typed in code. The project's copy lives in runbook/user-api-runbook.md."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

RUNBOOK = Path(__file__).resolve().parent.parent / "runbook" / "user-api-runbook.md"


class RunbookError(ValueError):
    """The runbook no longer states something the suite relies on."""


@lru_cache(maxsize=None)
def _text(path: Path = RUNBOOK) -> str:
    return path.read_text()


def error_rate_threshold(path: Path = RUNBOOK) -> float:
    """Returns the "High Error Rate (>N%)" threshold as a fraction (0.01 for 1%)."""
    match = re.search(r"High Error Rate \(>\s*([\d.]+)%\)", _text(path))
    if not match:
        raise RunbookError(f"{path}: no 'High Error Rate (>N%)' section")
    return float(match.group(1)) / 100


def p99_threshold_ms(path: Path = RUNBOOK) -> float:
    """Returns the "High Latency (p99 >Nms)" threshold in milliseconds."""
    match = re.search(r"High Latency \(p99\s*>\s*([\d.]+)\s*ms\)", _text(path))
    if not match:
        raise RunbookError(f"{path}: no 'High Latency (p99 >Nms)' section")
    return float(match.group(1))
