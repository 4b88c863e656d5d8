"""A scenario's timeline, computed from its journal: per-bucket p99 latency, error rate
and ready replicas, the scenario's key metric, the windows to shade, and the times a
person asks about first - how long until the fault showed (detection) and until the
service was served again (recovery). Pure data: the HTML report plots it, the release
comparison reads its times. It reads the journal's history as a History and judges
with the checks' statistics: a bucket's p99 counts a request with no answer at the
time it waited, as the latency check does."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from runbook_drill.harness.observe.history import History, Window, is_api_request
from runbook_drill.harness.observe.statistics import error_rate, request_p99_ms
from runbook_drill.harness.stack.topology import READY_PATH
from runbook_drill.harness.run.journal import ScenarioRecord

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
    notes: list[tuple[float, str, str]] = field(default_factory=list)  # (t, before which phase, what was seen)


def history_of(record: ScenarioRecord) -> History:
    """Returns a journal record's history."""
    return History.from_json(record.history)


def _symptom(event, slow_ms: float) -> bool:
    """A request that failed, got no answer, or took longer than `slow_ms`."""
    status = event.data.get("status")
    return status is None or status >= 400 or event.data.get("latency", 0) * 1000 > slow_ms


def key_metric(record: ScenarioRecord) -> str:
    """Returns the first metric a check of the scenario names (in the journal's order of
    checks), else the runbook's error count - what a person watches in any incident."""
    for verdict in record.verdicts or []:
        match = METRIC.search(verdict.check)
        if match:
            return match.group(1)
    return DEFAULT_METRIC


def _remediation_span(record: ScenarioRecord) -> tuple[float, float] | None:
    spans = [(a.start, a.end) for a in record.activities if a.name.startswith("remediation")]
    return spans[0] if spans else None


def _shades(record: ScenarioRecord, history: History, origin: float) -> list[tuple[str, float, float]]:
    out = [(label, history.windows[name].start - origin, history.windows[name].end - origin)
           for label, name in SHADES if name in history.windows]
    span = _remediation_span(record)
    if span:
        out = [s for s in out if s[0] != "remediation"] + [("remediation", span[0] - origin, span[1] - origin)]
    return sorted(out, key=lambda s: s[1])


def detection_s(history: History, slow_ms: float) -> float | None:
    """Returns the seconds from the injection to the first symptom observed: a User API
    request that failed or was slower than `slow_ms` (at its end), or a readiness probe
    not 200 (None: no symptom seen, as in a steady-state scenario)."""
    fault = history.windows.get("fault")
    if fault is None:
        return None
    started = Window("started in the fault", fault.start, math.inf)  # begun in it; may end after
    seen = [e.t + e.data.get("latency", 0) for e in history.events("request", started)
            if is_api_request(e) and e.t < fault.end and _symptom(e, slow_ms)]
    seen += [e.t for e in history.probes(None, None, READY_PATH) if fault.start <= e.t < fault.end
             and e.data.get("status") != 200]
    return round(max(0.0, min(seen) - fault.start), 3) if seen else None


def recovery_s(history: History) -> float | None:
    """Returns the seconds from the end of the fault window (heal or remediation next)
    to the load balancer answering ready for good (None: never, or no fault)."""
    if "fault" not in history.windows or "recovered" not in history.windows:
        return None
    return round(max(0.0, history.windows["recovered"].start - history.windows["fault"].end), 3)


def _request_series(history: History, starts: list[float], bucket_s: float):
    """Per bucket: the p99 and the error rate (%) of the User API requests that started
    in it, as the checks judge them: the p99 censored (a request with no answer counts
    at the time it waited), the error rate over the answered requests."""
    buckets: list[tuple[list, list]] = [([], []) for _ in starts]
    answered, unanswered = history.requests()
    for kind, events in ((0, answered), (1, unanswered)):
        for e in events:
            index = int((e.t - starts[0]) // bucket_s)
            if 0 <= index < len(starts):
                buckets[index][kind].append(e)
    p99 = [request_p99_ms(a, u) for a, u in buckets]
    rates = [error_rate(a) for a, _ in buckets]
    return ([None if v is None else round(v, 2) for v in p99],
            [None if r is None else round(100 * r, 2) for r in rates])


def _ready_series(history: History, starts: list[float], bucket_s: float) -> list[int | None]:
    """Per bucket: the replicas whose last readiness probe in it answered 200."""
    last: dict[int, dict[str, int | None]] = {}
    for e in history.probes(None, "replica-*", READY_PATH):
        last.setdefault(int((e.t - starts[0]) // bucket_s), {})[e.source] = e.data.get("status")
    return [sum(s == 200 for s in last[i].values()) if i in last else None for i in range(len(starts))]


def _metric_series(history: History, name: str, origin: float) -> dict[str, tuple[list[float], list[float]]]:
    """Per replica: the metric summed over its label sets, at each scrape."""
    series: dict[str, tuple[list[float], list[float]]] = {}
    for e in history.events("metrics"):
        value = sum(v for k, v in e.data.get("samples", {}).items() if k == name or k.startswith(name + "{"))
        times, values = series.setdefault(e.source, ([], []))
        times.append(round(e.t - origin, 2))
        values.append(value)
    return dict(sorted(series.items()))


def build(record: ScenarioRecord, slow_ms: float, bucket_s: float = 1.0) -> Timeline:
    """Returns the scenario's timeline; `slow_ms` is the runbook's p99 threshold (a
    request slower than it is a symptom for the detection time)."""
    history, origin = history_of(record), record.start
    starts = [origin + i * bucket_s for i in range(max(1, math.ceil((record.end - origin) / bucket_s)))]
    p99, errors = _request_series(history, starts, bucket_s)
    metric = key_metric(record)
    return Timeline(t=[round(s - origin + bucket_s / 2, 2) for s in starts], p99_ms=p99, error_pct=errors,
                    ready_replicas=_ready_series(history, starts, bucket_s), metric=metric,
                    metric_series=_metric_series(history, metric, origin), shades=_shades(record, history, origin),
                    detection_s=detection_s(history, slow_ms), recovery_s=recovery_s(history),
                    notes=observations(history, origin))


def observations(history: History, origin: float) -> list[tuple[float, str, str]]:
    """Returns what people typed at a game day's pauses: (seconds since the scenario
    started, the phase it was typed before, the text), in time order."""
    return [(round(e.t - origin, 2), e.data.get("before", ""), e.data["text"])
            for e in history.events("observation")]
