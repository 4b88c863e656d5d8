"""The runner's windows on a fake stack and a paced fake load: a window that needs
samples stays open until its checks are decided, and no longer than its bound."""

import threading
import time

from harness.chaos import checks as c
from harness.chaos.faults import make
from harness.chaos.runner import Scenario, run_scenario


class FakeStack:
    replicas: list = []
    lb = None

    def url(self, i=0):
        return "http://127.0.0.1:9"

    def auth_url(self):
        return "http://127.0.0.1:9"

    def token(self, *_, **__):
        return "token"


class PacedLoad:
    """A LoadPlan recording one answered 200 request every `gap_s` into the history."""

    def __init__(self, gap_s: float | None) -> None:
        self.gap_s = gap_s

    def build(self, history, *_):
        return PacedGenerator(history, self.gap_s)


class PacedGenerator:
    def __init__(self, history, gap_s):
        self.history, self.gap_s, self._stop = history, gap_s, threading.Event()
        self._thread = threading.Thread(target=self._send, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def wait_ready(self):
        return None

    def stop(self):
        self._stop.set()
        self._thread.join()

    def _send(self):
        while self.gap_s is not None and not self._stop.wait(self.gap_s):
            self.history.record("request", "load", t=time.time() - 0.001, endpoint="/users/{user_id}",
                                method="GET", status=200, error="", latency=0.0005)


def _scenario(gap_s, **windows) -> Scenario:
    return Scenario(id="paced", runbook="test", fault=lambda: make("none"), load=PacedLoad(gap_s),
                    steady=[c.error_rate("steady", below=0.01)], during=[], warmup_s=0,
                    fault_s=0.1, settle_s=0, recovery_s=0.1, **windows)


def _span(record, name):
    window = record["history"]["windows"][name]
    return window["end"] - window["start"]


def test_a_window_with_too_few_requests_stays_open_until_its_checks_are_decided(tmp_path):
    record = run_scenario(FakeStack(), _scenario(0.004, steady_s=0.1, sample_max_s=10), tmp_path)
    verdict = record["verdicts"][0]
    assert record["status"] == "passed", verdict
    assert verdict["evidence"]["answered"] >= c.MIN_SAMPLES
    assert _span(record, "steady") > 0.3  # 100 requests at one per 4 ms cannot fit in 0.1 s


def test_a_window_that_never_gets_its_samples_ends_at_its_bound_and_is_unknown(tmp_path):
    started = time.time()
    record = run_scenario(FakeStack(), _scenario(None, steady_s=0.1, sample_max_s=0.6), tmp_path)
    assert record["status"] == "unknown"
    assert 0.6 <= _span(record, "steady") < 1.5 and time.time() - started < 5


def test_a_window_already_decided_ends_at_its_declared_length(tmp_path):
    record = run_scenario(FakeStack(), _scenario(0.001, steady_s=0.6, sample_max_s=10), tmp_path)
    assert record["status"] == "passed"
    assert 0.6 <= _span(record, "steady") < 0.9
