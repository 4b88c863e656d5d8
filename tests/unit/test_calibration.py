"""Sizing CPU throttling from the replicas' measured demand, against a simulated service
whose latency histogram depends on the quota: the demand over the utilisation wanted,
lowered (a bounded number of times) only if the symptom does not show."""

import threading

import pytest

from harness.chaos.history import History
from harness.errors import HarnessError
from scenarios.calibration import HISTOGRAM, cpu_demand, quota_for

LABELS = "method=GET,route=/users/{user_id}"


class Fault:
    def __init__(self, cpus):
        self.values = {"cpus": cpus}
        self.injected = []

    def inject(self, stack):
        self.injected.append(self.values["cpus"])


class Service:
    """Scrapes every 5 ms: 100 requests a tick, the slow share a function of the quota."""

    def __init__(self, history, fault, slow_share):
        self.history, self.fault, self.slow_share = history, fault, slow_share
        self.count = self.within = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._scrape, daemon=True)

    def _scrape(self):
        while not self._stop.wait(0.005):
            self.count += 100
            self.within += 100 * (1 - self.slow_share(self.fault.values["cpus"]))
            self.history.record("metrics", "replica-0", samples={
                f"{HISTOGRAM}_count{{{LABELS}}}": self.count, f"{HISTOGRAM}_bucket{{le=0.5,{LABELS}}}": self.within})

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *_):
        self._stop.set()
        self._thread.join()


def _steady_readings(history, cores_used: float, replicas: int = 2, readings: int = 3):
    """Resource readings of `replicas` replicas using `cores_used` each, in a steady window."""
    for i in range(readings):
        for r in range(replicas):
            history.record("resources", f"replica-{r}", t=100.0 + i, cpu_ns=int(i * cores_used * 1e9))
    history.mark("steady", 99.5, 100.0 + readings)


def _calibrate(slow_share, cores_used=0.13, **options):
    history, fault = History(), Fault(1.0)
    _steady_readings(history, cores_used)
    with Service(history, fault, slow_share):
        calibrate = quota_for(1.3, 500, rate=0.01, margin=5.0, window_s=0.1, settle_s=0.01, **options)
        result = calibrate(None, fault, history)
    return result, fault


def test_the_quota_is_the_measured_demand_over_the_utilisation_wanted():
    history = History()
    _steady_readings(history, 0.13)
    assert cpu_demand(history) == pytest.approx(0.13)
    result, fault = _calibrate(lambda cpus: 0.3)
    assert result["cpu_demand_cores"] == pytest.approx(0.13) and fault.injected == [0.1]
    assert result["chosen"] == {"cpus": 0.1} and result["steps"][0]["slower_than_threshold"] == pytest.approx(0.3)


def test_a_quota_that_shows_no_symptom_is_lowered_a_bounded_number_of_times():
    result, fault = _calibrate(lambda cpus: 0.0 if cpus > 0.06 else 0.4, steps=3)
    assert fault.injected == [0.1, 0.075, 0.0562] and result["chosen"] == {"cpus": 0.0562}
    result, fault = _calibrate(lambda cpus: 0.0, steps=2)
    assert len(result["steps"]) == 2 and fault.injected == [0.1, 0.075]


def test_without_two_readings_of_a_replica_the_demand_cannot_be_measured():
    history = History()
    _steady_readings(history, 0.13, readings=1)
    with pytest.raises(HarnessError, match="fewer than two resource readings"):
        cpu_demand(history)
