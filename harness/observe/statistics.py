"""The statistics every reader of a history judges with - the checks, the report's
timeline, the release comparison, the calibrations: exact percentiles, percentiles of
requests some of which got no answer (censored at their recorded time), and the Wilson
bound of a proportion. One definition each, so a figure in a report is the figure the
verdict was decided on."""

from __future__ import annotations

import math


def percentile(values: list[float], q: float) -> float:
    """Returns the exact q-quantile (nearest rank) of `values` (not empty)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def censored_percentile(answered_ms: list[float], censored_ms: list[float], q: float) -> tuple[float, float]:
    """Returns (low, high) bounds of the q-quantile when the `censored_ms` requests got
    no answer: each took at least its recorded time (low), at most forever (high)."""
    low = percentile(answered_ms + censored_ms, q)
    high = percentile(answered_ms + [math.inf] * len(censored_ms), q)
    return low, high


def wilson_low(successes: int, total: int, z: float = 1.96) -> float:
    """Returns the lower bound of the Wilson score interval (95%) of a proportion."""
    if total == 0:
        return 0.0
    p = successes / total
    centre = p + z * z / (2 * total)
    margin = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total))
    return max(0.0, (centre - margin) / (1 + z * z / total))


def cpu_cores(readings: list) -> dict[str, float]:
    """Returns each source's CPU use per second (cores) over resource readings (events
    with cpu_ns), from its first to its last; a source with fewer than two is left out."""
    by_source: dict[str, list] = {}
    for event in readings:
        by_source.setdefault(event.source, []).append(event)
    return {src: (last.data["cpu_ns"] - first.data["cpu_ns"]) / 1e9 / max(last.t - first.t, 1e-9)
            for src, (first, last) in ((s, (r[0], r[-1])) for s, r in by_source.items() if len(r) >= 2)}


def latency_ms(requests: list) -> list[float]:
    """Returns the recorded latencies (ms) of request events: an answer's time, or for
    one with no answer the time the client waited before giving up."""
    return [e.data["latency"] * 1000 for e in requests]


def request_p99_ms(answered: list, unanswered: list, q: float = 0.99) -> float | None:
    """Returns the q-quantile (ms) the checks judge by: the censored lower bound - a
    request with no answer counted at its recorded time, never dropped (None: no
    requests)."""
    if not answered and not unanswered:
        return None
    return censored_percentile(latency_ms(answered), latency_ms(unanswered), q)[0]


def failed(event, statuses: set[int] | None = None) -> bool:
    """True when an answered request failed: status >= 400, or one of `statuses`."""
    status = event.data["status"]
    return status in statuses if statuses else status >= 400


def error_rate(answered: list, statuses: set[int] | None = None) -> float | None:
    """Returns the share of answered requests that failed, as the checks judge it
    (requests with no answer are unknown, counted apart; None: nothing answered)."""
    if not answered:
        return None
    return sum(failed(e, statuses) for e in answered) / len(answered)
