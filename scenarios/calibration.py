"""Calibrating a fault's magnitude at run time: CPU throttling is sized from what the
replicas use (a quota a known factor under their demand), and the service's own latency
histogram (scraped from every replica, as Prometheus would) says what share of requests
were slower than the runbook's threshold - the evidence that the magnitude shows the
symptom. Every step - magnitude and what it gave - goes into the journal."""

from __future__ import annotations

import time
from typing import Callable

from harness.chaos.checks import REPLICAS
from harness.chaos.history import History, Window
from harness.errors import HarnessError

HISTOGRAM = "http_request_duration_seconds"


def _totals(history: History, at: float, bound: float) -> tuple[float, float]:
    """Returns (requests, requests within `bound` s) of /users routes, summed over the
    replicas' last scrapes before `at`."""
    last: dict[str, dict] = {}
    for event in history.events("metrics", Window("calibration", 0, at), REPLICAS):
        last[event.source] = event.data["samples"]
    count = within = 0.0
    for samples in last.values():
        for key, value in samples.items():
            name, _, labels = key.partition("{")
            if "route=/users" not in labels:
                continue
            if name == f"{HISTOGRAM}_count":
                count += value
            elif name == f"{HISTOGRAM}_bucket" and f"le={bound}," in labels + ",":
                within += value
    return count, within


def bucket_at_least(threshold_s: float, buckets=(0.25, 0.5, 0.75, 1.0, 2.5, 5.0)) -> float:
    """Returns the smallest histogram bound >= the threshold: requests above it are
    certainly slower than the threshold."""
    return next((b for b in buckets if b >= threshold_s), buckets[-1])


def slow_share(history: History, start: float, end: float, threshold_s: float) -> tuple[float, int]:
    """Returns (share of /users requests slower than the threshold, requests) in [start, end)."""
    bound = bucket_at_least(threshold_s)
    count0, within0 = _totals(history, start, bound)
    count1, within1 = _totals(history, end, bound)
    done = count1 - count0
    return ((done - (within1 - within0)) / done if done > 0 else 0.0), int(done)


def _set(stack, fault, param: str, value: float) -> None:
    fault.values[param] = value
    fault.inject(stack)


def cpu_demand(history: History, until: str = "steady") -> float:
    """Returns the CPU the replicas used per second under the load, from its first
    request to the end of the `until` window (cores, averaged over the replicas), from
    their resource readings; raises HarnessError with fewer than two readings of a
    replica in that time."""
    requests = history.events("request")
    start = requests[0].t if requests else history.windows[until].start
    by_source: dict[str, list] = {}
    for event in history.events("resources", Window("demand", start, history.windows[until].end), REPLICAS):
        by_source.setdefault(event.source, []).append(event)
    rates = []
    for source, readings in sorted(by_source.items()):
        if len(readings) < 2:
            continue
        first, last = readings[0], readings[-1]
        rates.append((last.data["cpu_ns"] - first.data["cpu_ns"]) / 1e9 / (last.t - first.t))
    if not rates:
        raise HarnessError(f"cannot size the CPU quota: fewer than two resource readings of a replica "
                           f"before the end of {until}")
    return sum(rates) / len(rates)


def quota_for(utilisation: float, threshold_ms: float, rate: float, margin: float = 3.0, steps: int = 3,
              factor: float = 0.75, window_s: float = 3.0, settle_s: float = 2.0) -> Callable:
    """Returns a calibrate function for CPU throttling: the quota is set so the replicas
    need `utilisation` times what they may use (their CPU use per second measured in the
    load's run before the fault, divided by `utilisation`) - past the saturation edge, where a backlog
    grows and the slowness lasts, but by a known amount, so that scaling out has a known
    effect (5 replicas instead of 2 take it from u to 0.4u of what was measured). The share of
    requests slower than the threshold is then measured as evidence; should it not show
    the symptom, the quota is lowered by `factor`, at most `steps` times."""
    def calibrate(stack, fault, history: History) -> dict:
        demand = cpu_demand(history)
        _set(stack, fault, "cpus", round(max(0.01, demand / utilisation), 4))
        tried = []
        for step in range(steps):
            time.sleep(settle_s)  # the transient of the change, left out of the measurement
            start = time.time()
            time.sleep(window_s)
            share, requests = slow_share(history, start, time.time(), threshold_ms / 1000)
            tried.append({"cpus": fault.values["cpus"], "slower_than_threshold": round(share, 4),
                          "requests": requests})
            if share > margin * rate or step == steps - 1:
                break
            _set(stack, fault, "cpus", round(max(0.01, fault.values["cpus"] * factor), 4))
        return {"cpu_demand_cores": round(demand, 4), "utilisation": utilisation, "steps": tried,
                "chosen": {"cpus": fault.values["cpus"]}}
    return calibrate
