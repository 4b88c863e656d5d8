"""Calibrating a fault's magnitude against a simulated service whose latency histogram
depends on the magnitude: stepped until the symptom shows (then `beyond` steps past
it), and bounded in steps."""

import threading

import pytest

from harness.history import History
from scenarios.calibration import HISTOGRAM, stepping

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


def _run(slow_share, **options):
    history, fault = History(), Fault(0.12)
    with Service(history, fault, slow_share):
        calibrate = stepping("cpus", 0.7, 500, rate=0.01, margin=5.0, window_s=0.1, settle_s=0.01, **options)
        result = calibrate(None, fault, history)
    return result, fault


def _cliff(cpus):
    return 0.0 if cpus >= 0.1 else 0.2 if cpus >= 0.065 else 0.8


def test_the_magnitude_is_stepped_until_the_symptom_shows():
    result, fault = _run(_cliff)
    assert [s["cpus"] for s in result["steps"]] == [0.12, 0.084]
    assert result["chosen"] == {"cpus": 0.084} and fault.injected == [0.084]
    assert result["steps"][-1]["slower_than_threshold"] == pytest.approx(0.2, abs=0.01)


def test_beyond_steps_past_the_first_magnitude_that_shows_the_symptom():
    result, fault = _run(_cliff, beyond=1)
    assert [s["cpus"] for s in result["steps"]] == [0.12, 0.084]
    assert result["chosen"] == {"cpus": 0.0588} and fault.injected == [0.084, 0.0588]


def test_it_stops_after_its_steps_even_without_the_symptom():
    result, fault = _run(lambda cpus: 0.0, steps=3)
    assert len(result["steps"]) == 3 and fault.values["cpus"] == fault.injected[-1] == 0.0588


def test_a_magnitude_that_already_shows_the_symptom_is_kept():
    result, fault = _run(lambda cpus: 0.1)
    assert [s["cpus"] for s in result["steps"]] == [0.12] and fault.injected == []
