"""Checks read the history after the run and return a Verdict: pass, fail or unknown,
with the evidence (the samples) that decided it. Missing data is "unknown", and so is
a check that crashes - never "pass"."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

from harness.history import Event, History, Window

PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"
REPLICAS = "replica-*"  # every User API replica: the deployment's logs and metrics as a whole


@dataclass
class Verdict:
    check: str
    status: str
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass
class Check:
    """A named claim about one window of the history."""

    description: str
    window: str
    judge: Callable[[History, Window], tuple[str, dict[str, Any]]]

    def evaluate(self, history: History) -> Verdict:
        window = history.windows.get(self.window)
        if window is None:
            return Verdict(self.description, UNKNOWN, {"reason": f"no {self.window!r} window was recorded"})
        try:
            status, evidence = self.judge(history, window)
        except Exception as exc:  # a broken check proves nothing
            return Verdict(self.description, UNKNOWN, {"reason": f"check crashed: {type(exc).__name__}: {exc}"})
        return Verdict(self.description, status, {"window": window.name, **evidence})


def _samples(events: list[Event], limit: int = 5) -> list[dict]:
    return [{"t": round(e.t, 3), **{k: v for k, v in e.data.items() if k != "line"}} for e in events[:limit]]


def probe_status(source: str, path: str, status: int | None, window: str, share: float = 1.0) -> Check:
    """At least `share` of the probes of source+path in the window answered `status`."""
    def judge(history, win):
        probes = [e for e in history.events("probe", win, source) if e.data["path"] == path]
        if not probes:
            return UNKNOWN, {"reason": "no probes in the window"}
        matching = [e for e in probes if e.data["status"] == status]
        seen = sorted({str(e.data["status"]) for e in probes})
        ratio = len(matching) / len(probes)
        return (PASS if ratio >= share else FAIL), {"probes": len(probes), "matching": len(matching),
                                                    "share": round(ratio, 3), "statuses_seen": seen,
                                                    "first_mismatches": _samples([e for e in probes if e not in matching])}
    return Check(f"{source} {path} answers {status} (>= {share:.0%} of probes)", window, judge)


def probe_status_within(source: str, path: str, status: int, window: str, seconds: float) -> Check:
    """Within `seconds` of the window's start, source+path answers `status` and keeps answering it."""
    def judge(history, win):
        probes = [e for e in history.events("probe", win, source) if e.data["path"] == path]
        if not probes:
            return UNKNOWN, {"reason": "no probes in the window"}
        first_good = None
        for i, event in enumerate(probes):
            if all(p.data["status"] == status for p in probes[i:]):
                first_good = event
                break
        if first_good is None:
            return FAIL, {"last": _samples(probes[-3:])}
        took = first_good.t - win.start
        return (PASS if took <= seconds else FAIL), {"seconds_to_status": round(took, 3), "limit_s": seconds}
    return Check(f"{source} {path} answers {status} within {seconds:g}s and stays so", window, judge)


def _requests(history: History, win: Window) -> tuple[list[Event], list[Event]]:
    events = history.events("request", win)
    answered = [e for e in events if e.data.get("status") is not None]
    return answered, [e for e in events if e.data.get("status") is None]


def error_rate(window: str, above: float | None = None, below: float | None = None) -> Check:
    """The share of answered requests with status >= 400 is above/below a threshold.
    Requests with no answer (timeouts) are "unknown": counted apart, never as ok."""
    def judge(history, win):
        answered, unknown = _requests(history, win)
        if not answered:
            return UNKNOWN, {"reason": "no answered requests", "unknown": len(unknown)}
        errors = [e for e in answered if e.data["status"] >= 400]
        rate = len(errors) / len(answered)
        by_status: dict[str, int] = {}
        for e in errors:
            by_status[str(e.data["status"])] = by_status.get(str(e.data["status"]), 0) + 1
        ok = (above is None or rate > above) and (below is None or rate < below)
        return (PASS if ok else FAIL), {"error_rate": round(rate, 4), "answered": len(answered),
                                        "unknown": len(unknown), "errors_by_status": by_status}
    bound = f"> {above:.1%}" if above is not None else f"< {below:.1%}"
    return Check(f"error rate {bound}", window, judge)


def percentile(values: list[float], q: float) -> float:
    """The exact q-quantile (nearest rank) of `values`."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def latency(window: str, q: float = 0.99, above_ms: float | None = None, below_ms: float | None = None) -> Check:
    """The q-quantile of answered requests' latency is above/below a bound (ms)."""
    def judge(history, win):
        answered, unknown = _requests(history, win)
        if not answered:
            return UNKNOWN, {"reason": "no answered requests", "unknown": len(unknown)}
        value = percentile([e.data["latency"] * 1000 for e in answered], q)
        ok = (above_ms is None or value > above_ms) and (below_ms is None or value < below_ms)
        return (PASS if ok else FAIL), {f"p{int(q * 100)}_ms": round(value, 2), "answered": len(answered),
                                        "unknown": len(unknown)}
    bound = f"> {above_ms:g} ms" if above_ms is not None else f"< {below_ms:g} ms"
    return Check(f"p{int(q * 100)} latency {bound}", window, judge)


def _metric_series(history: History, win: Window, source: str, name: str, labels: dict[str, str]) -> list:
    series = []
    for event in history.events("metrics", win, source):
        total, found = 0.0, False
        for key, value in event.data["samples"].items():
            metric, _, rest = key.partition("{")
            if metric == name and all(f"{k}={v}" in rest for k, v in labels.items()):
                total, found = total + value, True
        if found:
            series.append((event.t, total))
    return series


def metric(source: str, name: str, window: str, change: str, labels: dict[str, str] | None = None,
           value: float | None = None) -> Check:
    """A metric (summed over matching label sets) "rises", "stays" or "reaches" `value`."""
    labels = labels or {}

    def judge(history, win):
        series = _metric_series(history, win, source, name, labels)
        if len(series) < 2:
            return UNKNOWN, {"reason": f"{len(series)} scrape(s) of {name} in the window"}
        first, last = series[0][1], series[-1][1]
        ok = {"rises": last > first, "stays": last == first,
              "reaches": any(v >= (value or 0) for _, v in series)}[change]
        return (PASS if ok else FAIL), {"first": first, "last": last, "max": max(v for _, v in series),
                                        "scrapes": len(series)}
    detail = f" {value:g}" if change == "reaches" else ""
    return Check(f"{source} {name}{labels or ''} {change}{detail}", window, judge)


def log_line(source: str, level: str, text: str, window: str) -> Check:
    """A log line of `level` containing `text` appears in the window. `source` may be a
    group ("replica-*": the service's logs, any replica, as an on-call engineer reads
    them) - a claim about the service must not hang on which replica the load balancer
    happened to send traffic to."""
    def judge(history, win):
        lines = history.events("log", win, source)
        if not lines:
            return UNKNOWN, {"reason": "no log lines collected"}
        found = [e for e in lines if e.data["level"] == level and text.lower() in e.data["message"].lower()]
        by_source: dict[str, int] = {}
        for e in found:
            by_source[e.source] = by_source.get(e.source, 0) + 1
        return (PASS if found else FAIL), {"matching": len(found), "lines": len(lines), "by_source": by_source,
                                           "examples": [e.data["message"][:300] for e in found[:3]]}
    who = "the service" if source == REPLICAS else source
    return Check(f"{who} logs {level} containing {text!r}", window, judge)


def container(source: str, field_name: str, window: str, equals: Any = None, rises: bool = False) -> Check:
    """A container state field equals a value at some point, or rises over the window."""
    def judge(history, win):
        states = history.events("container", win, source)
        if not states:
            return UNKNOWN, {"reason": "no container states in the window"}
        values = [e.data[field_name] for e in states]
        ok = values[-1] > values[0] if rises else equals in values
        return (PASS if ok else FAIL), {"first": values[0], "last": values[-1], "observations": len(values)}
    what = "rises" if rises else f"is {equals!r}"
    return Check(f"{source} {field_name} {what}", window, judge)


def resource(source: str, field_name: str, window: str, rises: bool = True) -> Check:
    """A resource reading (memory_bytes, throttled_periods, ...) rises over the window."""
    def judge(history, win):
        readings = history.events("resources", win, source)
        if len(readings) < 2:
            return UNKNOWN, {"reason": f"{len(readings)} resource reading(s) in the window"}
        first, last = readings[0].data[field_name], readings[-1].data[field_name]
        return (PASS if (last > first) == rises else FAIL), {"first": first, "last": last,
                                                             "readings": len(readings)}
    return Check(f"{source} {field_name} {'rises' if rises else 'does not rise'}", window, judge)
