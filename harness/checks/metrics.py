"""Metric checks, on the replicas' /metrics scrapes: a metric rises, stays, reaches a
value or another gauge, comes back to its baseline, and is exported with the type its
name promises."""

from __future__ import annotations

from runbook_drill.harness.checks.base import FAIL, PASS, UNKNOWN, Check, who
from runbook_drill.harness.observe.history import Event, History, Window
from runbook_drill.harness.observe.routes import family_of, from_history


def _declared_count(types: dict, name: str) -> bool:
    """True when a scrape's families declare `name` as a counter (the parser drops
    _total) or as a histogram's _count or _sum: a count that is 0 until its first event."""
    family = types.get(name) or types.get(name.removesuffix("_total")) or {}
    histogram = types.get(name.removesuffix("_count").removesuffix("_sum")) or {}
    in_histogram = name.endswith(("_count", "_sum")) and histogram.get("type") == "histogram"
    return family.get("type") == "counter" or in_histogram


ANY_LABEL = "*"  # labels={"*": "/users"}: some label (route, path, handler...) has a value starting so
USERS_PREFIX = "/users"
# The users routes, whatever label and values the service gives them: read as the
# route census in the history found them (harness.observe.routes), else as a label value
# starting with /users.
USERS_ROUTES = {ANY_LABEL: USERS_PREFIX}
ROUTE = "@route"  # labels={ROUTE: FamilyRoutes}: the series the census found to be users routes


def labels_match(rest: str, labels: dict) -> bool:
    """Returns whether a sample's labels ("k=v,k=v}") hold every one of `labels`; the
    key ANY_LABEL matches a value's start under whatever name the service gave it, the
    key ROUTE a users route as the census found them."""
    values = [pair.partition("=")[2] for pair in rest.rstrip("}").split(",")]

    def holds(key: str, want) -> bool:
        if key == ROUTE:
            return want.users(rest)
        return any(v.startswith(want) for v in values) if key == ANY_LABEL else f"{key}={want}" in rest
    return all(holds(key, want) for key, want in labels.items())


def for_history(labels: dict, history: History, name: str) -> dict:
    """Returns `labels` with the users routes (USERS_ROUTES) as the history's route census
    found them for `name`'s family; unchanged when they are not asked for or the history
    has no census of that family."""
    if labels.get(ANY_LABEL) != USERS_PREFIX:
        return labels
    routes = from_history(history, family_of(name))
    if routes is None:
        return labels
    return {**{k: v for k, v in labels.items() if k != ANY_LABEL}, ROUTE: routes}


def sample_total(scrape: Event, name: str, labels: dict[str, str]) -> float | None:
    """Returns one scrape's value of a metric, summed over the label sets matching
    `labels`; None when the scrape has no such metric. A counter declared with no
    matching sample yet (a labelled one before its first count of those labels) is 0,
    and so are a declared histogram's _count and _sum."""
    total, found = 0.0, _declared_count(scrape.data.get("types", {}), name)
    for key, value in scrape.data["samples"].items():
        metric, _, rest = key.partition("{")
        if metric == name and labels_match(rest, labels):
            total, found = total + value, True
    return total if found else None


def _metric_series(history: History, win: Window, source: str, name: str, labels: dict[str, str]) -> dict:
    """Returns {source: [(t, value summed over matching label sets)]} of one metric."""
    series: dict[str, list] = {}
    for event in history.events("metrics", win, source):
        total = sample_total(event, name, labels)
        if total is not None:
            series.setdefault(event.source, []).append((event.t, total))
    return {src: points for src, points in series.items() if len(points) >= 2}


def metric(source: str, name: str, window: str, change: str, labels: dict[str, str] | None = None,
           value: float | None = None) -> Check:
    """A metric (summed over matching label sets) "rises", "stays" or "reaches" `value`.
    Over a group of replicas ("replica-*"): rises = the deployment's total rose; stays =
    no replica's value changed; reaches = some replica reached it."""
    labels = labels or {}

    def judge(history, win):
        series = _metric_series(history, win, source, name, for_history(labels, history, name))
        if not series:
            return UNKNOWN, {"reason": f"fewer than 2 scrapes of {name} in the window"}
        firsts = {src: points[0][1] for src, points in series.items()}
        lasts = {src: points[-1][1] for src, points in series.items()}
        peak = max(v for points in series.values() for _, v in points)
        ok = {"rises": sum(lasts.values()) > sum(firsts.values()), "stays": firsts == lasts,
              "reaches": peak >= (value or 0)}[change]
        evidence = {"first": sum(firsts.values()), "last": sum(lasts.values()), "max": peak,
                    "scrapes": sum(len(p) for p in series.values()), "sources": sorted(series)}
        if change == "reaches":
            # Reaching a level is an event, not a degree: a gauge at a maximum cannot pass it
            # (a pool at its size) - a pass is categorical, a miss still has its distance.
            evidence["bound"] = {"figure": "max", "op": ">=", "value": value or 0, "reached_is_categorical": True}
        return (PASS if ok else FAIL), evidence
    detail = f" {value:g}" if change == "reaches" else ""
    claim = {"kind": "metric", "name": name, "labels": labels, "change": change, "value": value}
    # Sampled: a window too short for two scrapes (they come every 0.5 s) is held open
    # until it has them, never judged unknown for the runner's timing.
    return Check(f"{who(source)} {name}{labels or ''} {change}{detail}", window, judge, sampled=True, claim=claim)


END_SCRAPES = 3


def metric_back_to_baseline(source: str, name: str, window: str, baseline: str, slack: float = 0.0) -> Check:
    """At the end of `window` the metric is back at most at its peak in the `baseline`
    window (+ slack) on every replica: what was taken was given back (no leak). The end
    is the least of the last END_SCRAPES scrapes: a gauge read at one instant may catch
    requests in flight (seen: 2 of a replica's connections busy at the last scrape), a
    leak holds its connections at every one."""
    def judge(history, win):
        base_win = history.windows.get(baseline)
        if base_win is None:
            return UNKNOWN, {"reason": f"no {baseline!r} window"}
        before = _metric_series(history, base_win, source, name, {})
        after = _metric_series(history, win, source, name, {})
        if not before or not after:
            return UNKNOWN, {"reason": f"no scrapes of {name} in both windows"}
        peaks = {src: max(v for _, v in points) for src, points in before.items()}
        ends = {src: min(v for _, v in points[-END_SCRAPES:]) for src, points in after.items()}
        ok = all(ends[src] <= peaks.get(src, 0) + slack for src in ends)
        return (PASS if ok else FAIL), {"baseline_peak": peaks, "end": ends, "slack": slack}
    return Check(f"{who(source)} {name} back to its {baseline} level", window, judge, sampled=True)


def metric_at_most(source: str, name: str, window: str, value: float) -> Check:
    """At the end of `window` the metric is at most `value` on every replica (the
    least of its last END_SCRAPES scrapes, as in metric_back_to_baseline): a gauge at
    rest reads what is in use then - "Active DB connections" none but a probe's."""
    def judge(history, win):
        series = _metric_series(history, win, source, name, {})
        if not series:
            return UNKNOWN, {"reason": f"fewer than 2 scrapes of {name} in the window"}
        ends = {src: min(v for _, v in points[-END_SCRAPES:]) for src, points in series.items()}
        end = max(ends.values())
        # A count of connections in use, the least of several scrapes: at the allowance
        # (a probe's own connection) it is not near flipping - only a held one flips it.
        return (PASS if end <= value else FAIL), {"end": end, "by_source": ends, "bound": {
            "figure": "end", "op": "<=", "value": value, "reached_is_categorical": True}}
    return Check(f"{who(source)} {name} at most {value:g} at the end", window, judge, sampled=True)


def expected_type(name: str) -> str:
    """Returns the Prometheus type a runbook metric's name promises: *_total a counter,
    *_seconds a histogram (what the alert rules' histogram_quantile reads), else a gauge."""
    return "counter" if name.endswith("_total") else "histogram" if name.endswith("_seconds") else "gauge"


def metric_contract(source: str, name: str, window: str) -> Check:
    """The metric exists with the type its name promises (Prometheus naming: *_total is
    a counter, *_seconds with buckets a histogram, anything else a gauge)."""
    expected = expected_type(name)
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
    return Check(f"{who(source)} exports {name} as a {expected}", window, judge)
