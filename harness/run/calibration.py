"""Calibrating a fault's magnitude at run time: CPU throttling is sized from what the
replicas use (a quota a known factor under their demand); the
quota is shown past the saturation edge by the load's own view (most requests at the end
of a window wait longer than the runbook's threshold), and the service's latency
histogram (scraped from every replica, as Prometheus would) says what share of requests
were slower than the threshold. Every step - magnitude and what it gave - goes into the
journal. What the load's view says of a backlog (built, drained) is harness/run/backlog.py."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from typing import Callable

from runbook_drill.harness.checks import REPLICAS
from runbook_drill.harness.checks.metrics import USERS_ROUTES, for_history, labels_match
from runbook_drill.harness.observe.history import History, Window
from runbook_drill.harness.observe.statistics import cpu_cores
from runbook_drill.harness.engine.containers import least_cpus
from runbook_drill.harness.errors import HarnessError
from runbook_drill.harness.faults import make
from runbook_drill.harness.faults.base import proxy_state
from runbook_drill.harness.polling import wait_until
from runbook_drill.harness.run.backlog import backlog_drained, backlog_share

HISTOGRAM = "http_request_duration_seconds"


def _totals(history: History, at: float, bound: float) -> tuple[float, float]:
    """Returns (requests, requests within `bound` s) of /users routes, summed over the
    replicas' last scrapes before `at`."""
    last: dict[str, dict] = {}
    for event in history.events("metrics", Window("calibration", 0, at), REPLICAS):
        last[event.source] = event.data["samples"]
    count = within = 0.0
    users = {name: for_history(USERS_ROUTES, history, name) for name in (f"{HISTOGRAM}_count", f"{HISTOGRAM}_bucket")}
    for samples in last.values():
        for key, value in samples.items():
            name, _, labels = key.partition("{")
            if name not in users or not labels_match(labels, users[name]):  # whatever label names the route
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
    rates = list(cpu_cores(history.events("resources", Window("demand", start, end), REPLICAS)).values())
    if not rates:
        raise HarnessError(f"cannot size the CPU quota: fewer than two resource readings of a replica "
                           f"in the {end - start:.1f}s measured")
    return sum(rates) / len(rates)


@dataclass(frozen=True)
class QuotaPlan:
    """What a CPU quota must do on both sides of the runbook's quick win: `replicas`
    replicas over their capacity (a backlog grows: High Latency), `scaled_to` replicas
    of the same quota clearly under it (scaling out clears it). A replica's work is a
    fixed cost that does not shrink when replicas are added (probes, scrapes, the
    server's housekeeping: `fixed` cores, measured at rest) and the load's share
    (`demand` - `fixed` under the load, divided among the replicas)."""

    fixed: float  # cores a replica burns at rest
    demand: float  # cores a replica burns under the load, `replicas` of them sharing it
    replicas: int
    scaled_to: int

    @property
    def load_share(self) -> float:
        """Cores the load costs each of `replicas` replicas."""
        return max(0.0, self.demand - self.fixed)

    def quota(self, over: float) -> float:
        """Returns the quota at which the load's share is `over` times what is left after
        the fixed cost: the load's backlog grows by (over - 1) of its arrivals."""
        return self.fixed + self.load_share / over

    def busy_when_scaled(self, over: float) -> float:
        """Returns how busy the capacity left for the load is once scaled out, at the
        quota of `over`: the same load spread over `scaled_to` replicas."""
        return over * self.replicas / self.scaled_to

    def bounded_by(self, step: dict) -> "QuotaPlan":
        """Returns the plan with its demand bounded by a step that left no backlog at all:
        the load needed no more than that quota. Measured use overstates what a throttled
        process needs (a Go server's collector soaks up idle CPU and gives it back
        throttled: 2x its measured share showed no slow answer), so the next "over" is
        taken from what the load was shown to need, not from what it was seen to burn."""
        if step["backlogged_at_end"] > 0 or step["slower_than_threshold"] > 0.01:
            return self
        return replace(self, demand=min(self.demand, step["cpus"]))

    def check(self, least_share: float = 0.1) -> None:
        """Raises HarnessError ("cannot calibrate: ...") when the load's share is too small
        beside the fixed cost to be shown by a quota at all - within the readings' noise,
        a quota that throttles the load throttles the fixed cost, which no scale-out divides."""
        if self.load_share < least_share * self.fixed or self.load_share <= 0.001:
            raise HarnessError(
                f"cannot calibrate CPU throttling: a replica burns {self.fixed:.4f} cores at rest (probes, scrapes, "
                f"housekeeping) and {self.demand:.4f} under the load - the load's share ({self.load_share:.4f}) is "
                f"under {least_share:.0%} of the fixed cost, so no quota throttles the load in a way "
                f"{self.scaled_to} replicas could relieve on this machine and image")


def quota_for(threshold_ms: float, scaled_to: int, overs: tuple[float, ...] = (1.2, 1.5, 1.9, 2.4, 3.0, 3.8),
              busy_most: float = 1.6, backlogged: float = 0.25, window_s: float = 3.0, settle_s: float = 1.5,
              tail_s: float = 1.0, demand_s: float = 3.0) -> Callable:
    """Returns a calibrate function for CPU throttling, two-sided: the fault must show
    AND the runbook's quick win (scale up replicas) must be able to clear it here.

    What a replica burns at rest (the scenario's "rest" window: observers, no load) is its
    fixed cost; what it burns under the load for `demand_s` before the quota is set, less
    that, is the load's share. The quota leaves the load `over` times less than it needs
    after the fixed cost (the first of `overs`), so a backlog grows; scaled to `scaled_to`
    replicas the same quota leaves the load busy over * replicas / scaled_to of what it
    may use, which must stay at most `busy_most` by the measured demand. The quota is
    shown past the saturation edge by the load's own view (more than `backlogged` of the
    answers in the window's last `tail_s` waited longer than the threshold); otherwise
    the next of `overs` is tried - measured use overstates what a throttled process needs
    (a Go server's collector soaks up idle CPU unthrottled and gives way throttled: 1.5x
    "over" its unthrottled use showed no slow answer at all, and one step's backlog was
    gone at the next): a step that left no backlog at all bounds the demand by its quota
    (`QuotaPlan.bounded_by`), and the scaled side is also checked where it is real: the
    scenario's room check reads the scaled-out replicas' CPU against the quota. A quota
    under the engine's 1 ms per 100 ms (a light replica's) gets a longer period, at most
    half the threshold. Raises HarnessError ("cannot calibrate: ...") when no over shows a backlog
    within `busy_most` on the scaled side, or the load's share cannot be told from the
    fixed cost: the suite cannot show the claim here - never a failure of the service."""
    def calibrate(stack, fault, history: History) -> dict:
        rest = history.windows.get("rest")
        if rest is None:
            raise HarnessError("cannot calibrate CPU throttling: the scenario has no rest window (rest_s)")
        fixed = cpu_demand(history, rest.start, rest.end)
        start = time.time()
        time.sleep(demand_s)  # a measurement window: the resource readings come every second
        plan = QuotaPlan(fixed, cpu_demand(history, start, time.time()), len(stack.replicas), scaled_to)
        plan.check()
        # A light replica's quota can be under the engine's 1 ms per 100 ms: its period is
        # then longer, up to half the threshold (one stall alone never a slow answer).
        floor, tried, measured = least_cpus(threshold_ms / 2000), [], plan.demand
        for over in [o for o in overs if plan.busy_when_scaled(o) <= busy_most]:
            _set(stack, fault, "cpus", round(max(floor, plan.quota(over)), 4))
            tried.append(_measure_backlog(history, over, fault.values["cpus"], threshold_ms, settle_s, window_s,
                                          tail_s))
            tried[-1]["busy_when_scaled"] = round(plan.busy_when_scaled(over), 3)
            if tried[-1]["backlogged_at_end"] > backlogged:
                return {"fixed_cores": round(plan.fixed, 4), "cpu_demand_cores": round(measured, 4),
                        "demand_bound_cores": round(plan.demand, 4), "load_share_cores": round(plan.load_share, 4),
                        "steps": tried, "chosen": {"cpus": fault.values["cpus"]}, "over": over,
                        "busy_when_scaled": round(plan.busy_when_scaled(over), 3),
                        "drained_s": _drained(stack, fault, history, threshold_ms)}
            plan = plan.bounded_by(tried[-1])
        raise HarnessError(f"cannot calibrate CPU throttling: no quota showed a backlog (> {backlogged:.0%} of the "
                           f"last answers slower than {threshold_ms:g} ms) while leaving {scaled_to} replicas at most "
                           f"{busy_most:.0%} busy - fixed {plan.fixed:.4f} cores, demand {plan.demand:.4f}; "
                           f"tried {tried}")
    return calibrate


def _drained(stack, fault, history: History, threshold_ms: float, within_s: float = 20.0) -> float:
    """Lifts the chosen quota until the load's answers are fast again - the backlog the
    calibration's steps built is gone - then sets it again; returns how long that took.
    The fault's windows then show the backlog the quota grows in them, not one carried
    over from the calibration (seen: it outgrew the readiness checks a second into the
    fault, and 42% of the answers were the load balancer's own 503s). Raises
    HarnessError when the backlog does not drain unthrottled within `within_s`."""
    chosen, started, drained = fault.values["cpus"], time.time(), backlog_drained(threshold_ms, hold_s=1.0)
    fault.heal(stack)
    if not wait_until(lambda: drained(history), within_s, interval=0.2):
        raise HarnessError(f"cannot calibrate CPU throttling: the calibration's backlog did not drain unthrottled "
                           f"in {within_s:g}s")
    took = round(time.time() - started, 2)
    _set(stack, fault, "cpus", chosen)
    return took


def _measure_backlog(history: History, over: float, cpus: float, threshold_ms: float, settle_s: float,
                     window_s: float, tail_s: float) -> dict:
    """Returns what one quota gave: the share of /users requests slower than the
    threshold (the service's histogram) and of the load's last answers (its own view)."""
    time.sleep(settle_s)  # the transient of the change, left out of the measurement
    start = time.time()
    time.sleep(window_s)
    end = time.time()
    share, requests = slow_share(history, start, end, threshold_ms / 1000)
    backlog, tail = backlog_share(history, end - tail_s, end, threshold_ms / 1000)
    return {"over": over, "cpus": cpus, "slower_than_threshold": round(share, 4), "requests": requests,
            "backlogged_at_end": round(backlog, 4), "requests_at_end": tail}


def readiness_cost_ms(stack, tries: int = 5) -> float:
    """Returns the least time (ms) a replica's readiness check takes now (each replica
    asked `tries` times): the image's own cost of its cheapest check - a check that
    opened a new connection (its handshake: more round trips) is not what every check
    costs, and the latency must make even the cheapest one too slow."""
    import requests

    from runbook_drill.harness.stack.topology import READY_PATH

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
        per_ms = steps[-1]["miss_ms"] / latency_ms  # a miss's cost per ms of latency, as last measured
        latency_ms, held = _ready_at(stack, fault, history, latency_ms, started, threshold_ms / per_ms)
        return {"probe_latency_ms": probe_ms, "readiness_ms_at_probe": round(ready_ms, 1),
                "readiness_allows_ms": allowed, "target_miss_ms": target_ms, "steps": steps,
                "readiness_rechecked": held, "latency_ms": latency_ms}
    return calibrate


def _ready_at(stack, fault, history: History, latency_ms: float, since: float, least_ms: float,
              hold_s: float = 2.5, backoff: float = 0.9, tries: int = 5) -> tuple[float, list]:
    """Re-checks the chosen latency where it matters: every replica's readiness probes
    (as the probe sends them, on the image's own path - a readiness answered from a
    background check is not timed by a request) answer 200 for `hold_s` at it. A latency
    at which they do not is lowered by `backoff`, at most `tries` times, never below
    `least_ms` (where a miss would no longer cost the threshold): in small steps, since
    the readiness that fails is often the one that found the pool busy (a new connection
    costs round trips a pooled one does not) - rarer a little lower, and a big step down
    gives away the margin of the claim (seen: 374 ms failing once, 299 ms passing with a
    miss's p99 at 1.21x the threshold). Returns (the latency,
    what each try saw); raises HarnessError ("cannot calibrate: ...") when readiness
    fails at every latency that still shows the claim - the magnitude would turn High
    Latency into Service is Down."""
    seen = []
    for _ in range(tries):
        time.sleep(max(0.0, since + hold_s - time.time()))  # a measurement window: the probes come every 0.25 s
        failed = _failed_readiness(history, since)
        seen.append({"latency_ms": latency_ms, "readiness_failures": failed})
        if not failed:
            return latency_ms, seen
        lower = math.floor(latency_ms * backoff)
        if lower < least_ms:
            break
        latency_ms, since = lower, _apply_latency(stack, fault, lower)
    raise HarnessError(f"cannot calibrate the cache-miss latency: readiness fails at {latency_ms:g} ms of database "
                       f"latency (the image's own readiness budget), and below {least_ms:.0f} ms a miss no longer "
                       f"costs the threshold: {seen}")


def _failed_readiness(history: History, since: float) -> int:
    """Returns how many replica readiness probes since `since` did not answer 200."""
    from runbook_drill.harness.stack.topology import READY_PATH

    probes = history.probes(Window("recheck", since, math.inf), REPLICAS, READY_PATH)
    return sum(e.data.get("status") != 200 for e in probes)


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

