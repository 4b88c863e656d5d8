"""Calibrating a fault's magnitude at run time: CPU throttling is sized from what the
replicas use (a quota a known factor under their demand); the
quota is shown past the saturation edge by the load's own view (most requests at the end
of a window wait longer than the runbook's threshold), and the service's latency
histogram (scraped from every replica, as Prometheus would) says what share of requests
were slower than the threshold. Every step - magnitude and what it gave - goes into the
journal. The load's view also says when a backlog has drained (`backlog_drained`): after
a new load's first logins, before its steady state is measured, and after a remediation."""

from __future__ import annotations

import math
import time
from typing import Callable

from harness.checks import REPLICAS
from harness.checks.metrics import ANY_LABEL, labels_match
from harness.observe.history import History, Window
from harness.errors import HarnessError
from harness.faults import make
from harness.faults.base import proxy_state
from harness.polling import wait_until

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
            if not labels_match(labels, {ANY_LABEL: "/users"}):  # route, path...: any label's name
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


def cpu_demand(history: History, start: float, end: float) -> float:
    """Returns the CPU the replicas used per second in [start, end] (cores, averaged over
    the replicas), from their resource readings; raises HarnessError with fewer than two
    readings of every replica in that time."""
    by_source: dict[str, list] = {}
    for event in history.events("resources", Window("demand", start, end), REPLICAS):
        by_source.setdefault(event.source, []).append(event)
    rates = [(last.data["cpu_ns"] - first.data["cpu_ns"]) / 1e9 / (last.t - first.t)
             for first, last in ((readings[0], readings[-1]) for readings in by_source.values() if len(readings) >= 2)]
    if not rates:
        raise HarnessError(f"cannot size the CPU quota: fewer than two resource readings of a replica "
                           f"in the {end - start:.1f}s measured")
    return sum(rates) / len(rates)


def backlog_drained(threshold_ms: float, least: int = 20, hold_s: float = 2.0) -> Callable[[History], bool]:
    """Returns a condition on the history: every User API request that ended in the last
    `hold_s` seconds (at least `least` of them) was answered faster than the threshold -
    what queued up (behind a throttled replica, behind the first logins of a new load)
    has drained, so what is measured next is the service itself. A span, not the last
    few answers: fast new replicas can hide old ones still working off their queue."""
    def drained(history: History) -> bool:
        done = [e for e in history.requests_ended(time.time() - hold_s, math.inf) if e.data.get("status") is not None]
        return len(done) >= least and all(e.data["latency"] * 1000 < threshold_ms for e in done)
    return drained


def backlog_share(history: History, start: float, end: float, threshold_s: float) -> tuple[float, int]:
    """Returns (share of the load's requests that ended in [start, end) after waiting
    longer than the threshold, requests) - the client's view, time queued in front of the
    replicas included. By end time, not start: a request still queued is not recorded
    yet, and counting by start would leave the slowest out. A request with no answer
    counts slow; logins are left out (the auth service answers them)."""
    done = history.requests_ended(start, end)
    slow = sum(e.data.get("status") is None or e.data["latency"] > threshold_s for e in done)
    return (slow / len(done) if done else 0.0), len(done)


def quota_for(utilisation: float, threshold_ms: float, backlogged: float = 0.5, steps: int = 3,
              factor: float = 0.8, window_s: float = 2.5, settle_s: float = 1.5, tail_s: float = 1.0,
              demand_s: float = 3.0) -> Callable:
    """Returns a calibrate function for CPU throttling: the quota is set so the replicas
    need `utilisation` times what they may use (their CPU use per second over `demand_s`
    of the load before the quota is set, divided by `utilisation`; the load's first
    second, its caches cold, would overstate it), so that scaling out has a known
    effect (5 replicas instead of 2 take it to 0.4 of that). Measured use overstates what a
    throttled replica needs (its work comes in batches: fewer wake-ups per request), so
    the quota must also be shown past the saturation edge: at the end of the window, more
    than `backlogged` of the requests answered in its last `tail_s` waited longer than the
    threshold - a backlog that lasts, not the transient of the change draining away.
    Otherwise the quota is lowered by `factor`, at most `steps` times. The server's own
    histogram (as Prometheus would see it) is recorded beside as evidence."""
    def calibrate(stack, fault, history: History) -> dict:
        start = time.time()
        time.sleep(demand_s)  # a measurement window: the resource readings come every second
        demand = cpu_demand(history, start, time.time())
        _set(stack, fault, "cpus", round(max(0.01, demand / utilisation), 4))
        tried = []
        for step in range(steps):
            time.sleep(settle_s)  # the transient of the change, left out of the measurement
            start = time.time()
            time.sleep(window_s)
            end = time.time()
            share, requests = slow_share(history, start, end, threshold_ms / 1000)
            backlog, tail = backlog_share(history, end - tail_s, end, threshold_ms / 1000)
            tried.append({"cpus": fault.values["cpus"], "slower_than_threshold": round(share, 4),
                          "requests": requests, "backlogged_at_end": round(backlog, 4), "requests_at_end": tail})
            if backlog > backlogged or step == steps - 1:
                break
            _set(stack, fault, "cpus", round(max(0.01, fault.values["cpus"] * factor), 4))
        return {"cpu_demand_cores": round(demand, 4), "utilisation": utilisation, "steps": tried,
                "chosen": {"cpus": fault.values["cpus"]}}
    return calibrate


def readiness_cost_ms(stack, tries: int = 5) -> float:
    """Returns the least time (ms) a replica's readiness check takes now (each replica
    asked `tries` times): the image's own cost of its cheapest check - a check that
    opened a new connection (its handshake: more round trips) is not what every check
    costs, and the latency must make even the cheapest one too slow."""
    import requests

    from harness.stack.topology import READY_PATH

    def least_ms(index: int) -> float:
        times = []
        for _ in range(tries):
            started = time.monotonic()
            requests.get(f"{stack.url(index)}{READY_PATH}", timeout=10)
            times.append((time.monotonic() - started) * 1000)
        return min(times)
    return min(least_ms(i) for i in range(len(stack.replicas)))


def readiness_past_timeout(timeout_s: float, factor: float = 1.5, cap_ms: float = 5000.0) -> Callable:
    """Returns a calibrate function for a database latency that makes readiness take
    `factor` times the probe's timeout - measured on the image under test, not assumed:
    with the fault's first latency in place, the readiness check's cost is timed, the
    latency scaled so the check takes timeout x factor (a check of k round trips costs k
    latencies), capped at `cap_ms` (a readiness that does not wait for the database
    never gets there: the claim "Checks: Database connectivity" then fails, as it should)."""
    def calibrate(stack, fault, history: History) -> dict:
        probe_ms = float(fault.values["latency_ms"])
        cost_ms = readiness_cost_ms(stack)
        chosen = min(cap_ms, math.ceil(probe_ms * timeout_s * 1000 * factor / max(cost_ms, 1.0)))
        _set(stack, fault, "latency_ms", chosen)
        return {"probe_latency_ms": probe_ms, "readiness_ms_at_probe": round(cost_ms, 1),
                "round_trips_seen": round(cost_ms / probe_ms, 2), "latency_ms": chosen,
                "aim_ms": timeout_s * 1000 * factor}
    return calibrate


def _miss_latencies(history: History, since: float, floor_s: float) -> list[float]:
    """Returns the latencies of the load's user reads ended since `since` that took at
    least `floor_s`: misses - a hit costs no database round trip, a miss at least one."""
    done = history.requests_ended(since, math.inf)
    return sorted(e.data["latency"] for e in done if e.data.get("endpoint") == "/users/{user_id}"
                  and e.data.get("status") == 200 and e.data["latency"] >= floor_s)


def miss_latency_for(threshold_ms: float, probe_timeout_s: float, factor: float = 1.5, ready_share: float = 0.7,
                     least: int = 8, within_s: float = 4.0, refinements: int = 2) -> Callable:
    """Returns a calibrate function for "Redis cache misses" over a slower database: the
    database latency is set so that a miss costs `factor` times the runbook's p99
    threshold while readiness still answers within `ready_share` of the probe timeout -
    both measured on the image (a miss of k round trips costs k latencies; the bundled
    User API's costs two queries, another image's may cost one). The latency in place
    (the scenario's background fault) is the measuring step; it is applied again with
    the chosen value (the same toxic, replaced), and the eviction repeated so the fault
    windows see fresh misses. A miss is then measured again at the chosen latency, up to
    `refinements` times: at the probe's latency misses also queue for the pool, so a
    miss scaled down from it is dearer than one measured (seen: 753 ms expected, p99 338).
    Raises HarnessError when no miss is seen to measure."""
    def calibrate(stack, fault, history: History) -> dict:
        started = time.time()  # just after the eviction: its misses
        probe_ms = float(_background_latency(stack))
        ready_ms = readiness_cost_ms(stack)
        allowed = math.floor(probe_timeout_s * 1000 * ready_share * probe_ms / max(ready_ms, 1.0))
        target_ms = threshold_ms * factor
        steps, latency_ms = [], probe_ms
        for _ in range(refinements + 1):
            miss_ms, seen = _median_miss_ms(history, started, latency_ms, least, within_s)
            chosen = max(1, min(math.ceil(target_ms * latency_ms / miss_ms), allowed))
            steps.append({"latency_ms": latency_ms, "miss_ms": round(miss_ms, 1), "misses_seen": seen,
                          "next_latency_ms": chosen})
            if latency_ms != probe_ms and (miss_ms >= target_ms or chosen <= latency_ms):
                break  # dear enough, or as dear as readiness allows
            latency_ms, started = chosen, _apply_latency(stack, fault, chosen)
        return {"probe_latency_ms": probe_ms, "readiness_ms_at_probe": round(ready_ms, 1),
                "readiness_allows_ms": allowed, "target_miss_ms": target_ms, "steps": steps, "latency_ms": latency_ms}
    return calibrate


def _median_miss_ms(history: History, since: float, latency_ms: float, least: int, within_s: float):
    """Returns (the median miss in ms, misses seen) of the reads ended since `since` at
    a database latency of `latency_ms`, waiting up to `within_s` for `least` of them.
    Raises HarnessError when none is seen."""
    floor_s = latency_ms / 1000 * 0.8
    wait_until(lambda: len(_miss_latencies(history, since, floor_s)) >= least, within_s, interval=0.1)
    misses = _miss_latencies(history, since, floor_s)
    if not misses:
        raise HarnessError(f"no cache miss was seen within {within_s:g}s at {latency_ms:g} ms: cannot size the latency")
    return misses[len(misses) // 2] * 1000, len(misses)


def _apply_latency(stack, fault, latency_ms: int) -> float:
    """Sets the database latency (the toxic replaced) and evicts again; returns when."""
    make("dependency_latency", dependency="postgres", latency_ms=latency_ms).inject(stack)
    started = time.time()
    fault.inject(stack)
    return started


def _background_latency(stack) -> float:
    """Returns the latency (ms) of the latency toxic on the database's proxy now."""
    toxics = [t for t in proxy_state(stack, "postgres")["toxics"] if t["type"] == "latency"]
    if not toxics:
        raise HarnessError("no latency on the database's proxy to measure a cache miss with")
    return float(toxics[0]["attributes"]["latency"])

