"""A scenario's timeline, computed from its journal: per-bucket p99 latency, error rate
and ready replicas, the scenario's key metric, the windows to shade, and the times a
person asks about first - how long until the fault showed (detection) and until the
service was served again (recovery). Pure data: the HTML report plots it, the release
comparison reads its times."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from harness.chaos.checks import percentile

METRIC = re.compile(r"\b([a-z][a-z0-9_]*_(?:total|active|max|seconds))\b")
DEFAULT_METRIC = "http_requests_errors_total"
SHADES = (("fault", "fault"), ("remediation", "remediation"), ("recovered", "recovered"))


@dataclass
class Timeline:
    """Series on a common time axis (seconds since the scenario started)."""

    t: list[float] = field(default_factory=list)
    p99_ms: list[float | None] = field(default_factory=list)
    error_pct: list[float | None] = field(default_factory=list)
    ready_replicas: list[int | None] = field(default_factory=list)
    metric: str = DEFAULT_METRIC
    metric_series: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)  # by replica
    shades: list[tuple[str, float, float]] = field(default_factory=list)
    detection_s: float | None = None
    recovery_s: float | None = None


def api_requests(events: list[dict]) -> list[dict]:
    return [e for e in events if e["kind"] == "request" and not str(e["data"].get("endpoint", "")).startswith("/login")]


def _failed(event: dict, slow_ms: float) -> bool:
    status = event["data"].get("status")
    return status is None or status >= 400 or event["data"].get("latency", 0) * 1000 > slow_ms


def key_metric(record: dict) -> str:
    """Returns the first metric a check of the scenario names (in the journal's order of
    checks), else the runbook's error count - what a person watches in any incident."""
    for verdict in record.get("verdicts", []):
        match = METRIC.search(verdict["check"])
        if match:
            return match.group(1)
    return DEFAULT_METRIC


def _remediation_span(record: dict) -> tuple[float, float] | None:
    spans = [(a["start"], a["end"]) for a in record.get("activities", []) if a["name"].startswith("remediation")]
    return spans[0] if spans else None


def _shades(record: dict, origin: float) -> list[tuple[str, float, float]]:
    windows = record["history"]["windows"]
    out = [(label, windows[name]["start"] - origin, windows[name]["end"] - origin)
           for label, name in SHADES if name in windows]
    span = _remediation_span(record)
    if span:
        out = [s for s in out if s[0] != "remediation"] + [("remediation", span[0] - origin, span[1] - origin)]
    return sorted(out, key=lambda s: s[1])


def detection_s(record: dict, slow_ms: float) -> float | None:
    """Returns the seconds from the injection to the first symptom observed: a User API
    request that failed or was slower than `slow_ms`, or a readiness probe not 200
    (None: no symptom seen, as in a steady-state scenario)."""
    fault = record["history"]["windows"].get("fault")
    if fault is None:
        return None
    start, end = fault["start"], fault["end"]
    seen = [e["t"] + e["data"].get("latency", 0) for e in api_requests(record["history"]["events"])
            if start <= e["t"] < end and _failed(e, slow_ms)]
    seen += [e["t"] for e in record["history"]["events"] if e["kind"] == "probe" and start <= e["t"] < end
             and e["data"].get("path") == "/health/ready" and e["data"].get("status") != 200]
    return round(max(0.0, min(seen) - start), 3) if seen else None


def recovery_s(record: dict) -> float | None:
    """Returns the seconds from the end of the fault window (heal or remediation next)
    to the load balancer answering ready for good (None: never, or no fault)."""
    windows = record["history"]["windows"]
    if "fault" not in windows or "recovered" not in windows:
        return None
    return round(max(0.0, windows["recovered"]["start"] - windows["fault"]["end"]), 3)


def _buckets(record: dict, bucket_s: float) -> list[float]:
    origin = record["start"]
    return [origin + i * bucket_s for i in range(max(1, math.ceil((record["end"] - origin) / bucket_s)))]


def _request_series(requests: list[dict], starts: list[float], bucket_s: float):
    by_bucket: dict[int, list[dict]] = {}
    for e in requests:
        by_bucket.setdefault(int((e["t"] - starts[0]) // bucket_s), []).append(e)
    p99, errors = [], []
    for i in range(len(starts)):
        chunk = by_bucket.get(i, [])
        answered = [e["data"]["latency"] * 1000 for e in chunk if e["data"].get("status") is not None]
        p99.append(round(percentile(answered, 0.99), 2) if answered else None)
        failed = [e for e in chunk if e["data"].get("status") is None or e["data"]["status"] >= 400]
        errors.append(round(100 * len(failed) / len(chunk), 2) if chunk else None)
    return p99, errors


def _ready_series(events: list[dict], starts: list[float], bucket_s: float) -> list[int | None]:
    """Per bucket: the replicas whose last readiness probe in it answered 200."""
    last: dict[int, dict[str, int | None]] = {}
    for e in events:
        if e["kind"] == "probe" and e["source"].startswith("replica-") and e["data"].get("path") == "/health/ready":
            last.setdefault(int((e["t"] - starts[0]) // bucket_s), {})[e["source"]] = e["data"].get("status")
    return [sum(s == 200 for s in last[i].values()) if i in last else None for i in range(len(starts))]


def _metric_series(events: list[dict], name: str, origin: float) -> dict[str, tuple[list[float], list[float]]]:
    """Per replica: the metric summed over its label sets, at each scrape."""
    series: dict[str, tuple[list[float], list[float]]] = {}
    for e in events:
        if e["kind"] != "metrics":
            continue
        value = sum(v for k, v in e["data"].get("samples", {}).items() if k == name or k.startswith(name + "{"))
        times, values = series.setdefault(e["source"], ([], []))
        times.append(round(e["t"] - origin, 2))
        values.append(value)
    return dict(sorted(series.items()))


def build(record: dict, slow_ms: float, bucket_s: float = 1.0) -> Timeline:
    """Returns the scenario's timeline; `slow_ms` is the runbook's p99 threshold (a
    request slower than it is a symptom for the detection time)."""
    events = record["history"]["events"]
    starts = _buckets(record, bucket_s)
    p99, errors = _request_series(api_requests(events), starts, bucket_s)
    metric = key_metric(record)
    series = _metric_series(events, metric, record["start"])
    return Timeline(t=[round(s - record["start"] + bucket_s / 2, 2) for s in starts], p99_ms=p99, error_pct=errors,
                    ready_replicas=_ready_series(events, starts, bucket_s), metric=metric, metric_series=series,
                    shades=_shades(record, record["start"]),
                    detection_s=detection_s(record, slow_ms), recovery_s=recovery_s(record))
