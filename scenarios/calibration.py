"""Calibrating a fault's magnitude at run time, from the runbook's threshold with a
margin: the fault is applied, the service's own latency histogram (scraped from every
replica, as Prometheus would) says what share of requests were slower than the
threshold, and the magnitude is stepped up until that share clears the margin. Every
step - magnitude and what it gave - goes into the journal."""

from __future__ import annotations

import time
from typing import Callable

from harness.checks import REPLICAS
from harness.history import History, Window

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


def stepping(param: str, factor: float, threshold_ms: float, rate: float, margin: float = 3.0,
             steps: int = 4, window_s: float = 3.0, settle_s: float = 1.0, beyond: int = 0) -> Callable:
    """Returns a calibrate function: multiplies the fault's `param` by `factor` (and
    re-injects) until more than `margin` x `rate` of requests are slower than the
    threshold (p99 > threshold needs more than 1% of them), at most `steps` times; then
    `beyond` steps further. Each measurement starts `settle_s` after its magnitude is
    applied (the requests caught by the change itself say nothing of its lasting effect).

    Why `beyond`: near a saturation edge the first magnitude that shows the symptom may
    show it only while the backlog of its own onset drains, then settle just under the
    threshold - the edge is a cliff (p99 ~ 1/(1 - utilisation)). One step past it the
    symptom lasts."""
    def calibrate(stack, fault, history: History) -> dict:
        tried = []
        for step in range(steps):
            time.sleep(settle_s)  # the transient of the change, left out of the measurement
            start = time.time()
            time.sleep(window_s)  # one measurement window of the current magnitude
            share, requests = slow_share(history, start, time.time(), threshold_ms / 1000)
            tried.append({param: fault.values[param], "slower_than_threshold": round(share, 4),
                          "requests": requests})
            if share > margin * rate or step == steps - 1:
                break
            _set(stack, fault, param, round(fault.values[param] * factor, 4))
        for _ in range(beyond):
            _set(stack, fault, param, round(fault.values[param] * factor, 4))
        return {"steps": tried, "beyond": beyond, "chosen": {param: fault.values[param]}}
    return calibrate


def _set(stack, fault, param: str, value: float) -> None:
    fault.values[param] = value
    fault.inject(stack)
