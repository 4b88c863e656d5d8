"""Sizing CPU throttling two-sided, against a simulated service whose answers (as the
load sees them and in its latency histogram) depend on the quota: the fixed cost measured
at rest plus the load's share over what it needs, lowered only while the scaled-out side
keeps room, and a harness error naming why when no quota can show both."""

import threading
import time

import pytest

from runbook_drill.harness.observe.history import History
from runbook_drill.harness.errors import HarnessError
from runbook_drill.harness.run.backlog import backlog_drained
from runbook_drill.harness.run.calibration import HISTOGRAM, QuotaPlan, cpu_demand, quota_for

LABELS = "method=GET,route=/users/{user_id}"


class Fault:
    def __init__(self, cpus):
        self.values = {"cpus": cpus}
        self.injected = []
        self.healed = False

    def inject(self, stack):
        self.injected.append(self.values["cpus"])
        self.healed = False

    def heal(self, stack):
        self.healed = True


class Service:
    """Every 5 ms: 100 requests a tick in the histogram and 10 answers to the load, the
    slow share of both a function of the quota."""

    def __init__(self, history, fault, slow_share, cores_used=0.13):
        self.history, self.fault, self.slow_share, self.cores_used = history, fault, slow_share, cores_used
        self.count = self.within = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._scrape, daemon=True)

    def _scrape(self):
        tick, began = 0, time.time()
        while not self._stop.wait(0.005):
            now = time.time()
            for r in range(2):
                self.history.record("resources", f"replica-{r}", t=now, cpu_ns=round((now - began) * self.cores_used * 1e9))
            share = 0.0 if self.fault.healed else self.slow_share(self.fault.values["cpus"])
            self.count += 100
            self.within += 100 * (1 - share)
            tick += 1
            for n in range(10):
                latency = 0.9 if (tick * 10 + n) % 100 < share * 100 else 0.05
                self.history.record("request", "load", t=time.time() - latency, endpoint="/users/{user_id}",
                                    status=200, latency=latency)
            self.history.record("metrics", "replica-0", samples={
                f"{HISTOGRAM}_count{{{LABELS}}}": self.count, f"{HISTOGRAM}_bucket{{le=0.5,{LABELS}}}": self.within})

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *_):
        self._stop.set()
        self._thread.join()


def _readings(history, cores_used: float, replicas: int = 2, readings: int = 3):
    """Resource readings of `replicas` replicas using `cores_used` each, a second apart from t=100."""
    for i in range(readings):
        for r in range(replicas):
            history.record("resources", f"replica-{r}", t=100.0 + i, cpu_ns=int(i * cores_used * 1e9))


class Stack:
    replicas = [0, 1]


def _calibrate(slow_share, fixed=0.03, demand=0.13, **options):
    history, fault = History(), Fault(1.0)
    _readings(history, fixed)  # at rest: t=100..102
    history.mark("rest", 99.5, 103.0)
    with Service(history, fault, slow_share, cores_used=demand):
        calibrate = quota_for(500, 5, window_s=0.1, settle_s=0.01, tail_s=0.05, demand_s=0.1, **options)
        result = calibrate(Stack(), fault, history)
    return result, fault


def test_the_demand_is_the_replicas_mean_cpu_use_per_second_in_the_span_measured():
    history = History()
    _readings(history, 0.13)
    history.record("resources", "replica-0", t=110.0, cpu_ns=int(50e9))  # outside the span: left out
    assert cpu_demand(history, 99.5, 103.0) == pytest.approx(0.13)


def test_the_quota_is_the_fixed_cost_plus_the_loads_share_over_what_it_needs():
    result, fault = _calibrate(lambda cpus: 0.7)
    assert result["fixed_cores"] == pytest.approx(0.03) and result["cpu_demand_cores"] == pytest.approx(0.13, rel=0.05)
    chosen = pytest.approx(0.03 + 0.1 / 1.2, abs=0.002)
    assert fault.injected == [chosen, chosen] and result["over"] == 1.2  # set again once its backlog drained
    assert not fault.healed and 0 < result["drained_s"] < 20
    step = result["steps"][0]
    assert step["slower_than_threshold"] == pytest.approx(0.7, abs=0.05)
    assert step["backlogged_at_end"] == pytest.approx(0.7, abs=0.1) and step["busy_when_scaled"] == 0.48


def test_a_quota_with_no_backlog_bounds_the_demand_and_the_next_is_lowered_from_that_bound():
    result, fault = _calibrate(lambda cpus: 0.0 if cpus > 0.09 else 0.8)
    assert [round(c, 3) for c in fault.injected] == [0.113, 0.086, 0.086] and result["over"] == 1.5
    assert result["demand_bound_cores"] == pytest.approx(0.1133, abs=0.001) and result["busy_when_scaled"] == 0.6


def test_a_quota_with_some_backlog_is_lowered_only_as_far_as_the_scaled_side_leaves_room():
    result, fault = _calibrate(lambda cpus: 0.1 if cpus > 0.09 else 0.8)
    assert [round(c, 3) for c in fault.injected] == [0.113, 0.097, 0.083, 0.083] and result["over"] == 1.9
    assert result["busy_when_scaled"] == 0.76
    with pytest.raises(HarnessError, match="cannot calibrate CPU throttling: no quota showed a backlog"):
        _calibrate(lambda cpus: 0.0)
    with pytest.raises(HarnessError):  # at most 60% busy when scaled: 1.2 and 1.5 only
        _calibrate(lambda cpus: 0.1 if cpus > 0.09 else 0.8, busy_most=0.6)


def test_a_fixed_cost_the_load_cannot_be_told_from_is_a_harness_error_naming_why():
    """A fake image burning 0.13 cores at rest, 0.135 under the load: no quota throttles
    the load in a way scaling out could relieve."""
    with pytest.raises(HarnessError, match=r"cannot calibrate CPU throttling: a replica burns 0.13\d* cores at rest"):
        _calibrate(lambda cpus: 0.9, fixed=0.13, demand=0.135)


def test_the_scaled_side_is_as_busy_as_the_over_spread_over_more_replicas():
    plan = QuotaPlan(fixed=0.02, demand=0.1, replicas=2, scaled_to=5)
    assert plan.load_share == pytest.approx(0.08) and plan.quota(1.25) == pytest.approx(0.084)
    assert plan.busy_when_scaled(1.5) == pytest.approx(0.6)


def test_a_step_with_no_backlog_at_all_bounds_the_demand_by_its_quota_and_a_backlogged_one_does_not():
    plan = QuotaPlan(fixed=0.006, demand=0.02, replicas=2, scaled_to=5)
    calm = {"cpus": 0.012, "backlogged_at_end": 0.0, "slower_than_threshold": 0.0}
    assert plan.bounded_by(calm).demand == 0.012 and plan.bounded_by(calm).quota(2) == pytest.approx(0.009)
    assert plan.bounded_by({**calm, "backlogged_at_end": 0.13}) == plan
    assert plan.bounded_by({**calm, "slower_than_threshold": 0.05}) == plan
    assert plan.bounded_by({**calm, "cpus": 0.03}).demand == 0.02  # a bound above the demand says nothing


def test_without_a_rest_window_the_fixed_cost_is_unknown_and_nothing_is_set():
    fault = Fault(1.0)
    with pytest.raises(HarnessError, match="no rest window"):
        quota_for(500, 5)(Stack(), fault, History())
    assert fault.injected == []


def test_without_two_readings_of_a_replica_the_demand_cannot_be_measured():
    history = History()
    _readings(history, 0.13, readings=1)
    with pytest.raises(HarnessError, match="fewer than two resource readings"):
        cpu_demand(history, 99.5, 103.0)


def _finished(history, count, latency_s, ago_s):
    now = time.time()
    for i in range(count):
        history.record("request", "load", t=now - ago_s - latency_s, status=200, latency=latency_s,
                       endpoint="/users/{user_id}")


def test_the_backlog_is_drained_only_when_a_whole_second_of_answers_was_fast():
    drained = backlog_drained(500)
    fast = History()
    _finished(fast, 30, 0.02, 0.1)
    assert drained(fast)
    one_slow = History()
    _finished(one_slow, 30, 0.02, 0.1)
    _finished(one_slow, 1, 0.8, 0.5)  # an old replica's queued request, answered 0.5 s ago
    assert not drained(one_slow)
    too_few = History()
    _finished(too_few, 5, 0.02, 0.1)
    assert not drained(too_few)


def test_cache_misses_are_the_reads_that_took_a_database_round_trip_and_hits_are_left_out():
    from runbook_drill.harness.run.calibration import _miss_latencies

    history = History()
    for n, latency in enumerate([0.004, 0.61, 0.003, 0.62, 0.30, 0.005]):
        history.record("request", "load", t=100.0 + n, endpoint="/users/{user_id}", status=200, latency=latency)
    history.record("request", "load", t=100.0, endpoint="/users", status=200, latency=0.9)  # a list page
    history.record("request", "load", t=100.0, endpoint="/users/{user_id}", status=500, latency=2.0)
    assert _miss_latencies(history, 90.0, 0.24) == [0.30, 0.61, 0.62]


class QueueingMisses:
    """A service whose cache misses cost two round trips plus a queue for the pool that
    grows with the latency (dear at the probe's latency, cheaper below it); each
    eviction, 10 s after the last on its own clock, answers `misses` reads at the latency
    then in place."""

    def __init__(self, history: History, misses: int = 10, ready_below_ms: float = float("inf")):
        self.history, self.misses, self.now, self.applied = history, misses, 0.0, []
        self.ready_below_ms = ready_below_ms  # the image's own readiness budget: unready at this latency

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        """Time passes; the replicas' readiness probes are answered as the latency allows."""
        for tick in range(int(seconds / 0.25)):
            ready = self.applied[-1] < self.ready_below_ms
            self.history.record("probe", "replica-0", t=self.now + tick * 0.25, path="/health/ready",
                                status=200 if ready else 503, latency=0.01)
        self.now += seconds

    def evict(self, latency_ms: float) -> float:
        self.now += 10
        self.applied.append(latency_ms)
        miss_s = (2 * latency_ms + latency_ms ** 2 / 60) / 1000  # 300 ms: 2.1 s; 100 ms: 0.37 s
        for n in range(self.misses):
            self.history.record("request", "load", t=self.now + 0.5 + 0.001 * n, endpoint="/users/{user_id}",
                                status=200, latency=miss_s)
        return self.now


def _miss_calibration(monkeypatch, misses=10, ready_ms=600.0, ready_below_ms=float("inf")):
    from runbook_drill.harness.run import calibration

    history = History()
    service = QueueingMisses(history, misses, ready_below_ms)
    monkeypatch.setattr(calibration, "time", service)
    monkeypatch.setattr(calibration, "_background_latency", lambda stack: 300.0)
    monkeypatch.setattr(calibration, "readiness_cost_ms", lambda stack: ready_ms)
    monkeypatch.setattr(calibration, "_apply_latency", lambda stack, fault, ms: service.evict(ms))
    calibrate = calibration.miss_latency_for(500, 1.0, least=8, within_s=0.2)
    service.evict(300.0)
    return calibrate(None, None, history), service


def test_a_miss_scaled_down_from_a_queueing_probe_is_measured_again_and_the_latency_raised_to_the_target(
        monkeypatch):
    result, service = _miss_calibration(monkeypatch)
    first, second, *_ = result["steps"]
    assert (first["latency_ms"], first["miss_ms"]) == (300.0, 2100.0), result
    assert second["latency_ms"] == 108 and second["miss_ms"] < 750, result  # scaled down: 409 ms, too cheap
    assert service.applied[-1] == result["latency_ms"] > 108, result
    assert (2 * result["latency_ms"] + result["latency_ms"] ** 2 / 60) > 700, result  # near the 750 ms wanted


def test_the_latency_is_never_raised_past_what_readiness_allows(monkeypatch):
    result, service = _miss_calibration(monkeypatch, ready_ms=1200.0)  # readiness allows 175 ms
    assert result["readiness_allows_ms"] == 175
    assert max(service.applied[1:]) <= 175 and result["latency_ms"] <= 175, result


def test_a_latency_at_which_readiness_fails_is_lowered_until_it_holds(monkeypatch):
    """Readiness timed cheap (answered from a background check) but failing at the chosen
    latency: seen on the probes, re-checked, lowered - never left to turn High Latency into
    an outage."""
    result, service = _miss_calibration(monkeypatch, ready_below_ms=160.0)
    rechecked = result["readiness_rechecked"]
    assert rechecked[0]["readiness_failures"] > 0 and rechecked[-1]["readiness_failures"] == 0, result
    assert result["latency_ms"] < 160 and service.applied[-1] == result["latency_ms"], result


def test_readiness_failing_at_every_latency_that_shows_the_claim_is_a_harness_error(monkeypatch):
    with pytest.raises(HarnessError, match="cannot calibrate the cache-miss latency: readiness fails"):
        _miss_calibration(monkeypatch, ready_below_ms=50.0)


def test_no_miss_to_measure_is_an_error_that_says_so(monkeypatch):
    with pytest.raises(HarnessError, match="no cache miss was seen"):
        _miss_calibration(monkeypatch, misses=0)


def test_a_backlog_built_is_more_than_a_quarter_of_the_last_second_s_answers_slower_than_the_threshold():
    from runbook_drill.harness.run.backlog import backlog_built

    history, now = History(), time.time()
    for i in range(10):
        latency = 0.9 if i < 3 else 0.05
        history.record("request", "load", t=now - 0.5 - latency, endpoint="/users/{user_id}", status=200,
                       latency=latency)  # each ended half a second ago
    assert backlog_built(500)(history)
    assert not backlog_built(500, share=0.5)(history) and not backlog_built(500)(History())


def _served(history, server, count, latency_s, ago_s=0.2):
    now = time.time()
    for _ in range(count):
        history.record("request", "load", t=now - ago_s - latency_s, status=200, latency=latency_s,
                       endpoint="/users/{user_id}", replica=server)


def test_scaled_out_capacity_is_fast_only_when_every_server_answers_fast():
    from runbook_drill.harness.run.backlog import every_server_fast

    fast = every_server_fast(500, servers=3)
    history = History()
    for server in ("api1", "api2"):
        _served(history, server, 10, 0.02)
    assert not fast(history)  # the third (new) replica has not answered yet
    _served(history, "api3", 10, 0.02)
    assert fast(history)
    _served(history, "api3", 1, 0.7)  # its first list page, slow: still in its cold start
    assert not fast(history)
