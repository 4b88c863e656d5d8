"""Checks read the history after the run and return a Verdict: pass, fail or unknown,
with the evidence (the samples) that decided it. Missing data is "unknown", and so is
a check that crashes - never "pass"."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

from harness.chaos.history import Event, History, Window

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
    # A check decided by the number of samples (requests) its window holds: the runner
    # keeps that window open until the check is decided, within a bound.
    sampled: bool = False
    # "alerts": it reads Prometheus's alerts or the pages - the runner first waits until
    # nothing the last scenario set off is still firing.
    reads: str = ""
    # What it claims, as data (kind and bounds): for those who restate it in another tool
    # (a Chaos Toolkit hypothesis); empty for claims only the history can judge.
    claim: dict[str, Any] = field(default_factory=dict)

    def decided(self, history: History, window: Window) -> bool:
        """True when the check, judged on `window` now, is pass or fail (not unknown)."""
        try:
            return self.judge(history, window)[0] != UNKNOWN
        except Exception:
            return False

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


UNANSWERED_MAX = 0.2  # probes without an answer a share may leave out before it is unknown


def probe_status(source: str, path: str, status: int | None, window: str, share: float = 1.0) -> Check:
    """At least `share` of the answered probes of source+path in the window answered
    `status`. A probe with no answer within its timeout is unknown - neither the status
    nor another: left out of the share and counted; over UNANSWERED_MAX of them (or no
    answer at all), the verdict is unknown. `status` None claims no answer (a frozen
    process): then every probe counts."""
    def judge(history, win):
        probes = [e for e in history.events("probe", win, source) if e.data["path"] == path]
        answered = [e for e in probes if e.data["status"] is not None or status is None]
        unanswered = len(probes) - len(answered)
        if not answered or unanswered > UNANSWERED_MAX * len(probes):
            return UNKNOWN, {"reason": f"{unanswered} of {len(probes)} probes got no answer", "probes": len(probes)}
        matching = [e for e in answered if e.data["status"] == status]
        ratio = len(matching) / len(answered)
        return (PASS if ratio >= share else FAIL), {"probes": len(probes), "unanswered": unanswered,
                                                    "matching": len(matching), "share": round(ratio, 3),
                                                    "statuses_seen": sorted({str(e.data["status"]) for e in probes}),
                                                    "first_mismatches": _samples([e for e in answered
                                                                                  if e not in matching])}
    return Check(f"{source} {path} answers {status} (>= {share:.0%} of probes)", window, judge)


def probe_fails(source: str, path: str, window: str, share: float = 1.0) -> Check:
    """At least `share` of the probes failed: any answer but 200, or none within the
    probe's timeout (Kubernetes counts a probe timeout as a failure)."""
    def judge(history, win):
        probes = [e for e in history.events("probe", win, source) if e.data["path"] == path]
        if not probes:
            return UNKNOWN, {"reason": "no probes in the window"}
        failed = [e for e in probes if e.data["status"] != 200]
        ratio = len(failed) / len(probes)
        return (PASS if ratio >= share else FAIL), {"probes": len(probes), "failed": len(failed),
                                                    "share": round(ratio, 3),
                                                    "statuses_seen": sorted({str(e.data["status"]) for e in probes})}
    return Check(f"{_who(source)} {path} fails (>= {share:.0%} of probes)", window, judge)


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


MIN_SAMPLES = 100  # a p99 or a 1% error rate over fewer requests means nothing


def _requests(history: History, win: Window, endpoint: str | None = None,
              method: str | None = None) -> tuple[list[Event], list[Event]]:
    """Returns the User API requests in the window (logins to the auth service are not
    User API traffic) as (answered, unanswered), optionally of one endpoint/method."""
    events = [e for e in history.events("request", win) if not str(e.data.get("endpoint", "")).startswith("/login")
              and (endpoint is None or e.data.get("endpoint") == endpoint)
              and (method is None or e.data.get("method", "GET") == method)]
    answered = [e for e in events if e.data.get("status") is not None]
    return answered, [e for e in events if e.data.get("status") is None]


def _traffic(endpoint: str | None, method: str | None) -> str:
    return f" of {method or ''} {endpoint}".replace("  ", " ") if endpoint or method else ""


def wilson_low(successes: int, total: int, z: float = 1.96) -> float:
    """Returns the lower bound of the Wilson score interval (95%) of a proportion."""
    if total == 0:
        return 0.0
    p = successes / total
    centre = p + z * z / (2 * total)
    margin = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total))
    return max(0.0, (centre - margin) / (1 + z * z / total))


def error_rate(window: str, above: float | None = None, below: float | None = None, statuses=None,
               endpoint: str | None = None, method: str | None = None, min_samples: int = MIN_SAMPLES) -> Check:
    """The share of answered requests that failed (status >= 400, or only `statuses`)
    is above/below a threshold. Requests with no answer (timeouts) are "unknown":
    counted apart and reported beside the rate, never as ok.

    "Below" needs `min_samples` answered requests. "Above" - a symptom claimed - needs
    the 95% confidence interval's lower bound over the threshold (and at least 20
    requests): 60% errors over 78 requests decides, 2% over 50 does not."""
    wanted = set(statuses or ())
    needed = min(min_samples, 20) if above is not None else min_samples

    def judge(history, win):
        answered, unknown = _requests(history, win, endpoint, method)
        if len(answered) < needed:
            return UNKNOWN, {"reason": f"{len(answered)} answered requests (< {needed})",
                             "answered": len(answered), "unknown": len(unknown)}
        errors = [e for e in answered if (e.data["status"] in wanted if wanted else e.data["status"] >= 400)]
        rate = len(errors) / len(answered)
        if above is not None and rate > above and wilson_low(len(errors), len(answered)) <= above \
                and len(answered) < min_samples:
            return UNKNOWN, {"reason": f"{rate:.1%} over {len(answered)} requests is not certainly > {above:.1%}",
                             "error_rate": round(rate, 4), "answered": len(answered), "unknown": len(unknown)}
        by_status: dict[str, int] = {}
        for e in answered:
            if e.data["status"] >= 400:
                by_status[str(e.data["status"])] = by_status.get(str(e.data["status"]), 0) + 1
        ok = (above is None or rate > above) and (below is None or rate < below)
        return (PASS if ok else FAIL), {"error_rate": round(rate, 4), "answered": len(answered),
                                        "unknown": len(unknown), "errors_by_status": by_status}
    bound = f"> {above:.1%}" if above is not None else f"< {below:.1%}"
    what = "/".join(str(s) for s in sorted(wanted)) + " rate" if wanted else "error rate"
    late = " still at the fault's end" if window == "fault_late" else ""
    claim = {"kind": "error_rate", "above": above, "below": below, "statuses": sorted(wanted),
             "endpoint": endpoint, "method": method}
    return Check(f"{what}{_traffic(endpoint, method)} {bound}{late}", window, judge, sampled=True, claim=claim)


def percentile(values: list[float], q: float) -> float:
    """The exact q-quantile (nearest rank) of `values`."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def censored_percentile(answered_ms: list[float], censored_ms: list[float], q: float) -> tuple[float, float]:
    """Returns (low, high) bounds of the q-quantile when the `censored_ms` requests got
    no answer: each took at least its recorded time (low), at most forever (high)."""
    low = percentile(answered_ms + censored_ms, q)
    high = percentile(answered_ms + [math.inf] * len(censored_ms), q)
    return low, high


def latency(window: str, q: float = 0.99, above_ms: float | None = None, below_ms: float | None = None,
            endpoint: str | None = None, method: str | None = None, min_samples: int = MIN_SAMPLES) -> Check:
    """The q-quantile of request latency is above/below a bound (ms). A request with no
    answer within the client's timeout took at least that long: it counts as censored at
    its recorded time, never dropped. The verdict is decided only when the bounds make it
    certain (p99 > 500 ms is certain once over 1% were cut off at 2 s); otherwise unknown."""
    def judge(history, win):
        answered, unknown = _requests(history, win, endpoint, method)
        if len(answered) + len(unknown) < min_samples:
            return UNKNOWN, {"reason": f"{len(answered) + len(unknown)} requests (< {min_samples})",
                             "answered": len(answered), "censored": len(unknown)}
        low, high = censored_percentile([e.data["latency"] * 1000 for e in answered],
                                        [e.data["latency"] * 1000 for e in unknown], q)
        bound = above_ms if above_ms is not None else below_ms
        if above_ms is not None:
            status = PASS if low > bound else FAIL if high <= bound else UNKNOWN
        else:
            status = PASS if high < bound else FAIL if low >= bound else UNKNOWN
        name = f"p{q * 100:g}_ms"
        evidence = {name: round(low, 2), "answered": len(answered), "censored": len(unknown)}
        if high != low:
            evidence[f"{name}_at_most"] = "unbounded" if math.isinf(high) else round(high, 2)
        return status, evidence
    bound = f"> {above_ms:g} ms" if above_ms is not None else f"< {below_ms:g} ms"
    claim = {"kind": "latency", "q": q, "above_ms": above_ms, "below_ms": below_ms, "endpoint": endpoint,
             "method": method}
    return Check(f"p{q * 100:g} latency{_traffic(endpoint, method)} {bound}", window, judge, sampled=True,
                 claim=claim)


def _declared_counter(types: dict, name: str) -> bool:
    """True when a scrape's families declare `name` as a counter (the parser drops _total)."""
    family = types.get(name) or types.get(name.removesuffix("_total")) or {}
    return family.get("type") == "counter"


def _metric_series(history: History, win: Window, source: str, name: str, labels: dict[str, str]) -> dict:
    """Returns {source: [(t, value summed over matching label sets)]} of one metric."""
    series: dict[str, list] = {}
    for event in history.events("metrics", win, source):
        # A counter declared with no sample yet (a labelled one before its first event) is 0.
        total, found = 0.0, _declared_counter(event.data.get("types", {}), name) and not labels
        for key, value in event.data["samples"].items():
            metric, _, rest = key.partition("{")
            if metric == name and all(f"{k}={v}" in rest for k, v in labels.items()):
                total, found = total + value, True
        if found:
            series.setdefault(event.source, []).append((event.t, total))
    return {src: points for src, points in series.items() if len(points) >= 2}


def metric(source: str, name: str, window: str, change: str, labels: dict[str, str] | None = None,
           value: float | None = None) -> Check:
    """A metric (summed over matching label sets) "rises", "stays" or "reaches" `value`.
    Over a group of replicas ("replica-*"): rises = the deployment's total rose; stays =
    no replica's value changed; reaches = some replica reached it."""
    labels = labels or {}

    def judge(history, win):
        series = _metric_series(history, win, source, name, labels)
        if not series:
            return UNKNOWN, {"reason": f"fewer than 2 scrapes of {name} in the window"}
        firsts = {src: points[0][1] for src, points in series.items()}
        lasts = {src: points[-1][1] for src, points in series.items()}
        peak = max(v for points in series.values() for _, v in points)
        ok = {"rises": sum(lasts.values()) > sum(firsts.values()), "stays": firsts == lasts,
              "reaches": peak >= (value or 0)}[change]
        return (PASS if ok else FAIL), {"first": sum(firsts.values()), "last": sum(lasts.values()), "max": peak,
                                        "scrapes": sum(len(p) for p in series.values()), "sources": sorted(series)}
    detail = f" {value:g}" if change == "reaches" else ""
    claim = {"kind": "metric", "name": name, "labels": labels, "change": change, "value": value}
    return Check(f"{_who(source)} {name}{labels or ''} {change}{detail}", window, judge, claim=claim)


def metric_reaches_metric(source: str, name: str, limit_name: str, window: str) -> Check:
    """A gauge reaches the value another gauge reports (pool active at the pool maximum)."""
    def judge(history, win):
        used = _metric_series(history, win, source, name, {})
        limit = _metric_series(history, win, source, limit_name, {})
        if not used or not limit:
            return UNKNOWN, {"reason": f"no scrapes of {name} and {limit_name}"}
        hits = {src: max(v for _, v in points) for src, points in used.items()
                if src in limit and max(v for _, v in points) >= limit[src][-1][1]}
        return (PASS if hits else FAIL), {"peak": {s: max(v for _, v in p) for s, p in used.items()},
                                          "limit": {s: p[-1][1] for s, p in limit.items()}}
    return Check(f"{_who(source)} {name} reaches {limit_name}", window, judge)


def metric_back_to_baseline(source: str, name: str, window: str, baseline: str, slack: float = 0.0) -> Check:
    """At the end of `window` the metric is back at most at its peak in the `baseline`
    window (+ slack) on every replica: what was taken was given back (no leak)."""
    def judge(history, win):
        base_win = history.windows.get(baseline)
        if base_win is None:
            return UNKNOWN, {"reason": f"no {baseline!r} window"}
        before = _metric_series(history, base_win, source, name, {})
        after = _metric_series(history, win, source, name, {})
        if not before or not after:
            return UNKNOWN, {"reason": f"no scrapes of {name} in both windows"}
        peaks = {src: max(v for _, v in points) for src, points in before.items()}
        ends = {src: points[-1][1] for src, points in after.items()}
        ok = all(ends[src] <= peaks.get(src, 0) + slack for src in ends)
        return (PASS if ok else FAIL), {"baseline_peak": peaks, "end": ends, "slack": slack}
    return Check(f"{_who(source)} {name} back to its {baseline} level", window, judge)


def metric_contract(source: str, name: str, window: str) -> Check:
    """The metric exists with the type its name promises (Prometheus naming: *_total is
    a counter, *_seconds with buckets a histogram, anything else a gauge)."""
    expected = "counter" if name.endswith("_total") else "histogram" if name.endswith("_seconds") else "gauge"
    family = name[:-len("_total")] if expected == "counter" else name

    def judge(history, win):
        scrapes = history.events("metrics", win, source)
        if not scrapes:
            return UNKNOWN, {"reason": "no scrapes in the window"}
        types = scrapes[-1].data.get("types", {})
        found = types.get(family) or types.get(name)
        if found is None:
            return FAIL, {"reason": f"{name} is not exported", "exported": sorted(types)[:40]}
        return (PASS if found["type"] == expected else FAIL), {"type": found["type"], "expected": expected,
                                                               "labels": found["labels"]}
    return Check(f"{_who(source)} exports {name} as a {expected}", window, judge)


def probe_body(source: str, path: str, contains: str, window: str, share: float = 0.9) -> Check:
    """At least `share` of the failed probes' answers name `contains` (a readiness 503
    naming the failing check)."""
    def judge(history, win):
        probes = [e for e in history.events("probe", win, source)
                  if e.data["path"] == path and e.data.get("status") not in (None, 200)]
        if not probes:
            return UNKNOWN, {"reason": "no failed probes in the window"}
        naming = [e for e in probes if contains.lower() in str(e.data.get("body", "")).lower()]
        ratio = len(naming) / len(probes)
        return (PASS if ratio >= share else FAIL), {"failed_probes": len(probes), "naming": len(naming),
                                                    "example": str(probes[0].data.get("body", ""))[:200]}
    return Check(f"{_who(source)} {path} failures name {contains!r}", window, judge)


def docker_event(source: str, action: str, window: str) -> Check:
    """The container engine reported `action` (oom, die, ...) for the source's containers."""
    def judge(history, win):
        events = history.events("event", win, source)
        matching = [e for e in events if str(e.data.get("action", "")).startswith(action)]
        return (PASS if matching else FAIL), {"matching": len(matching), "events": len(events),
                                              "actions": sorted({str(e.data.get("action")) for e in events})}
    return Check(f"{_who(source)} events show {action!r}", window, judge)


def resource_bounded(source: str, field_name: str, window: str, baseline: str, slack: float) -> Check:
    """The reading stays within `slack` of its peak in the `baseline` window, on every
    source (memory bounded under traffic that could have grown it)."""
    def judge(history, win):
        base_win = history.windows.get(baseline)
        if base_win is None:
            return UNKNOWN, {"reason": f"no {baseline!r} window"}
        before, during = history.events("resources", base_win, source), history.events("resources", win, source)
        if not before or not during:
            return UNKNOWN, {"reason": "no resource readings in both windows"}
        peaks: dict[str, float] = {}
        for e in before:
            peaks[e.source] = max(peaks.get(e.source, 0), e.data[field_name])
        growth: dict[str, float] = {}
        for e in during:
            grown = e.data[field_name] - peaks.get(e.source, 0)
            growth[e.source] = max(growth.get(e.source, grown), grown)
        ok = all(g <= slack for g in growth.values())
        return (PASS if ok else FAIL), {"growth_over_baseline_peak": growth, "slack": slack}
    return Check(f"{_who(source)} {field_name} stays within {slack:g} of its {baseline} peak", window, judge)


def _who(source: str) -> str:
    return "the service" if source == REPLICAS else source


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
    return Check(f"{_who(source)} logs {level} containing {text!r}", window, judge)


def container(source: str, field_name: str, window: str, equals: Any = None, rises: bool = False,
              stays: bool = False) -> Check:
    """A container state field equals a value at some point, rises over the window (on
    some container of the source), or stays as it was (on every one)."""
    def judge(history, win):
        states = history.events("container", win, source)
        if not states:
            return UNKNOWN, {"reason": "no container states in the window"}
        by_source: dict[str, list] = {}
        for e in states:
            by_source.setdefault(e.source, []).append(e.data[field_name])
        if rises:
            ok = any(v[-1] > v[0] for v in by_source.values())
        elif stays:
            ok = all(v[-1] == v[0] for v in by_source.values())
        else:
            ok = any(equals in v for v in by_source.values())
        return (PASS if ok else FAIL), {"first": {s: v[0] for s, v in by_source.items()},
                                        "last": {s: v[-1] for s, v in by_source.items()},
                                        "observations": len(states)}
    what = "rises" if rises else "stays" if stays else f"is {equals!r}"
    return Check(f"{_who(source)} {field_name} {what}", window, judge)


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


def _firing_polls(history: History, win: Window, source: str) -> list[Event]:
    return history.events("alerts", win, source)


def alert_fires(name: str, window: str, within_s: float, source: str = "prometheus") -> Check:
    """Alert `name` is firing within `within_s` of the window's start (Prometheus's
    /api/v1/alerts, polled). Undecided while the window is younger than `within_s`."""
    def judge(history, win):
        polls = _firing_polls(history, win, source)
        if not polls:
            return UNKNOWN, {"reason": "Prometheus's alerts were not polled in the window"}
        first = next((e for e in polls if name in e.data["firing"]), None)
        if first is not None:
            took = first.t - win.start
            return (PASS if took <= within_s else FAIL), {"seconds_to_firing": round(took, 2), "limit_s": within_s}
        if win.end - win.start < within_s:
            return UNKNOWN, {"reason": f"not firing yet after {win.end - win.start:.1f}s"}
        return FAIL, {"polls": len(polls), "firing_seen": sorted({n for e in polls for n in e.data["firing"]}),
                      "limit_s": within_s}
    return Check(f"alert {name} fires within {within_s:g}s", window, judge, sampled=True, reads="alerts")


def alerts_quiet(names: list[str], window: str, source: str = "prometheus") -> Check:
    """None of `names` is firing at any poll of the window (an unrelated page is noise
    that sends the on-call the wrong way)."""
    def judge(history, win):
        polls = _firing_polls(history, win, source)
        if not polls:
            return UNKNOWN, {"reason": "Prometheus's alerts were not polled in the window"}
        loud = [e for e in polls if set(e.data["firing"]) & set(names)]
        return (FAIL if loud else PASS), {"polls": len(polls), "firing": _samples(loud)}
    return Check(f"no {', '.join(names)} alert fires", window, judge, reads="alerts")


def paged(name: str, receiver: str, window: str, within_s: float, source: str = "pager") -> Check:
    """The receiver (the primary on-call) got a firing page for alert `name` within
    `within_s` of the window's start."""
    def judge(history, win):
        pages = [e for e in history.events("page", win, source) if e.data["receiver"] == receiver
                 and any(a["name"] == name and a["status"] == "firing" for a in e.data["alerts"])]
        if pages:
            took = pages[0].t - win.start
            return (PASS if took <= within_s else FAIL), {"seconds_to_page": round(took, 2), "limit_s": within_s,
                                                          "runbook_url": pages[0].data["alerts"][0].get("runbook_url")}
        if win.end - win.start < within_s:
            return UNKNOWN, {"reason": f"no page yet after {win.end - win.start:.1f}s"}
        received = [a["name"] for e in history.events("page", win, source) for a in e.data["alerts"]]
        return FAIL, {"pages_received": received, "limit_s": within_s}
    return Check(f"{receiver} paged for {name} within {within_s:g}s", window, judge, sampled=True, reads="alerts")


def alert_resolves(name: str, window: str, within_s: float, source: str = "prometheus") -> Check:
    """Alert `name` stops firing within `within_s` of the window's start and stays so
    to the window's end."""
    def judge(history, win):
        polls = _firing_polls(history, win, source)
        if not polls:
            return UNKNOWN, {"reason": "Prometheus's alerts were not polled in the window"}
        quiet_from = None
        for i, event in enumerate(polls):
            if all(name not in e.data["firing"] and name not in e.data["pending"] for e in polls[i:]):
                quiet_from = event
                break
        if quiet_from is not None and quiet_from.t - win.start <= within_s:
            return PASS, {"seconds_to_resolved": round(quiet_from.t - win.start, 2), "limit_s": within_s}
        if win.end - win.start < within_s:
            return UNKNOWN, {"reason": f"still firing after {win.end - win.start:.1f}s"}
        return FAIL, {"last_polls": _samples(polls[-3:]), "limit_s": within_s}
    return Check(f"alert {name} resolves within {within_s:g}s", window, judge, sampled=True, reads="alerts")


def series_present(names: list[str], window: str, source: str = "prometheus") -> Check:
    """Prometheus holds series of every metric in `names` (an alert over a metric no one
    exports never fires, and says nothing). Read from the names recorded last in the
    scenario (a target scraped late still counts); a missing one is named."""
    def judge(history, win):
        recorded = history.events("series", None, source)
        if not recorded:
            return UNKNOWN, {"reason": "Prometheus's metric names were not recorded"}
        held = set(recorded[-1].data["names"])
        missing = sorted(set(names) - held)
        return (FAIL if missing else PASS), {"missing": missing, "checked": sorted(names)}
    return Check(f"Prometheus holds every metric the alert rules read ({len(names)})", window, judge)
