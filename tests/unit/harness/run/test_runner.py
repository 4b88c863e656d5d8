"""The runner's windows on a fake stack and a paced fake load: the steady state opens
once the load has settled (bounded); a window that needs samples stays open until its
checks are decided, and no longer than its bound; the recovered window opens when the
load balancer was seen ready for good."""

import threading
import time

import pytest

from runbook_drill.harness import checks as c
from runbook_drill.harness.faults import make
from runbook_drill.harness.observe.history import History
from runbook_drill.harness.run.runner import Scenario, ScenarioRun, run_scenario


class FakeStack:
    """A StackLike with no replicas, load balancer or monitoring (harness/stack/protocol.py)."""

    replicas: list = []
    user_ids: list = []
    lb = prometheus = alertmanager = pager = None

    def __init__(self) -> None:
        self.removed_logs: dict[str, str] = {}

    def url(self, i=0):
        return "http://127.0.0.1:9"

    def auth_url(self):
        return "http://127.0.0.1:9"

    def token(self, *_, **__):
        return "token"


class PacedLoad:
    """A LoadPlan recording one answered 200 request every `gap_s` into the history."""

    def __init__(self, gap_s: float | None, status: int = 200) -> None:
        self.gap_s, self.status = gap_s, status

    def build(self, history, *_, **__):
        return PacedGenerator(history, self.gap_s, self.status)


class PacedGenerator:
    def __init__(self, history, gap_s, status=200):
        self.history, self.gap_s, self.status, self._stop = history, gap_s, status, threading.Event()
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
                                method="GET", status=self.status, error="", latency=0.0005)


def _scenario(gap_s, **windows) -> Scenario:
    return Scenario(id="paced", runbook="test", fault=lambda: make("none"), load=PacedLoad(gap_s),
                    steady=[c.error_rate("steady", below=0.01)], during=[],
                    fault_s=0.1, settle_s=0, recovery_s=0.1, **{"warmup_s": 0, **windows})


def _span(record, name):
    window = record.history["windows"][name]
    return window["end"] - window["start"]


def test_a_window_with_too_few_requests_stays_open_until_its_checks_are_decided(tmp_path):
    record = run_scenario(FakeStack(), _scenario(0.004, steady_s=0.1, sample_max_s=10), tmp_path)
    verdict = record.verdicts[0]
    assert record.status == "passed", verdict
    assert verdict.evidence["answered"] >= c.MIN_SAMPLES
    assert _span(record, "steady") > 0.3  # 100 requests at one per 4 ms cannot fit in 0.1 s


def test_a_window_that_never_gets_its_samples_ends_at_its_bound_and_is_unknown(tmp_path):
    started = time.time()
    record = run_scenario(FakeStack(), _scenario(None, steady_s=0.1, sample_max_s=0.6), tmp_path)
    assert record.status == "unknown"
    assert 0.6 <= _span(record, "steady") < 1.5 and time.time() - started < 5


def test_a_window_already_decided_ends_at_its_declared_length(tmp_path):
    record = run_scenario(FakeStack(), _scenario(0.001, steady_s=0.6, sample_max_s=10), tmp_path)
    assert record.status == "passed"
    assert 0.6 <= _span(record, "steady") < 0.9


def _activity(record, name):
    (activity,) = [a for a in record.activities if a.name == name]
    return activity


def test_the_steady_state_is_measured_only_once_the_load_has_settled(tmp_path):
    settled_at = []

    def settled(history):  # a stand-in for "a second of fast answers": 50 answers in
        if len(history.events("request")) >= 50 and not settled_at:
            settled_at.append(time.time())
        return bool(settled_at)

    record = run_scenario(FakeStack(), _scenario(0.004, steady_s=0.1, warm_when=settled), tmp_path)
    warm_up = _activity(record, "warm-up")
    assert warm_up.output["condition_met"] and warm_up.output["took_s"] >= 0.15
    assert record.history["windows"]["steady"]["start"] >= settled_at[0]


def test_a_load_that_never_settles_is_waited_for_no_longer_than_its_bound_and_then_judged(tmp_path):
    started = time.time()
    record = run_scenario(FakeStack(), _scenario(0.004, steady_s=0.1, warmup_s=0.2, warm_when=lambda h: False,
                                                 warmup_max_s=0.7), tmp_path)
    warm_up = _activity(record, "warm-up")
    assert warm_up.output == {"took_s": pytest.approx(0.5, abs=0.2), "condition_met": False}
    assert record.status == "passed" and time.time() - started < 5


def _recovered_since(probes: list[tuple[float, int, float]]) -> float | None:
    """The runner's start of the recovered window over load-balancer readiness probes
    given as (sent at, status, seconds to the answer)."""
    run = object.__new__(ScenarioRun)
    run.history = History()
    for t, status, latency in probes:
        run.history.record("probe", "lb", t=t, path="/health/ready", status=status, error="", body="",
                           latency=latency)
    return run._recovered_since(0.0, 10.0)


def test_the_recovered_window_opens_when_the_first_lasting_ready_answer_arrived_not_when_it_was_asked():
    # requests sent while that probe was in flight met the load balancer before it
    # had a server up (seen: two 503s 2-10 ms after the probe was sent)
    assert _recovered_since([(1.0, 503, 0.01), (1.25, 200, 0.03), (1.5, 200, 0.01)]) == pytest.approx(1.28)


def test_a_ready_answer_followed_by_a_failure_does_not_open_the_recovered_window():
    assert _recovered_since([(1.0, 200, 0.01), (1.25, 503, 0.01), (1.5, 200, 0.02)]) == pytest.approx(1.52)
    assert _recovered_since([(1.0, 200, 0.01), (1.25, 503, 0.01)]) is None


def test_the_fault_steady_window_opens_when_the_settled_condition_is_seen_not_at_a_fixed_time(tmp_path):
    first_asked: list[float] = []

    def effect_seen(history) -> bool:  # the fault's effect arrives 0.8 s in, on the image's own time
        first_asked.append(time.time())
        return time.time() >= first_asked[0] + 0.8
    record = run_scenario(FakeStack(), _scenario(0.001, settled_when=effect_seen), tmp_path)
    windows = record.history["windows"]
    assert windows["fault_steady"]["start"] >= first_asked[0] + 0.8 > windows["fault"]["start"]
    assert _activity(record, "wait for the fault's effect to settle").output["condition_met"] is True


def test_a_settled_condition_never_met_opens_the_window_at_its_bound_and_the_checks_judge(tmp_path):
    record = run_scenario(FakeStack(), _scenario(0.001, settled_when=lambda history: False, settle_max_s=0.4),
                          tmp_path)
    windows = record.history["windows"]
    assert 0.4 <= windows["fault_steady"]["start"] - windows["fault"]["start"] < 1.0
    assert _activity(record, "wait for the fault's effect to settle").output["condition_met"] is False


def test_a_stop_condition_that_holds_interrupts_the_fault_heals_at_once_and_the_scenario_is_aborted(tmp_path):
    from runbook_drill.harness.run import stops

    failing = Scenario(id="paced", runbook="test", fault=lambda: make("none"), load=PacedLoad(0.01, status=500),
                       during=[], settle_s=0, fault_s=30, recovery_s=0.1, recovery_max_s=0.5, warmup_s=0)
    started = time.time()
    record = run_scenario(FakeStack(), failing, tmp_path, conditions=[stops.parse("error_rate>20% for 1s")])
    assert record.status == "aborted" and record.stop["condition"] == "error_rate>20% for 1s"
    assert time.time() - started < 10  # the 30 s fault cut short
    heal = _activity(record, "final heal none")
    assert 0 <= heal.end - record.stop["at"] < 2.0
    assert "recovery" in record.history["windows"]  # still watched after the heal


def test_a_stop_condition_that_never_holds_changes_nothing(tmp_path):
    from runbook_drill.harness.run import stops

    record = run_scenario(FakeStack(), _scenario(0.004, steady_s=0.1), tmp_path,
                          conditions=[stops.parse("error_rate>20% for 1s")])
    assert record.status == "passed" and record.stop is None


class Remedied:
    """A LoadPlan whose answers are slow (0.8 s) until `bites_s` after the remediation
    ran (never, with None), then fast: a quick win that takes its time to take effect."""

    def __init__(self, bites_s: float | None) -> None:
        self.bites_s, self.remedied_at = bites_s, None

    def remediate(self, stack) -> None:
        self.remedied_at = time.time()

    def slow(self) -> bool:
        return self.remedied_at is None or self.bites_s is None or time.time() < self.remedied_at + self.bites_s

    def build(self, history, *_, **__):
        plan = self

        class Generator(PacedGenerator):
            def _send(self):
                while not self._stop.wait(0.005):
                    latency = 0.8 if plan.slow() else 0.01
                    self.history.record("request", "load", t=time.time() - latency, endpoint="/users/{user_id}",
                                        method="GET", status=200, error="", latency=latency)
        return Generator(history, 0.005)


def _quick_win(plan: Remedied, took_effect_s: float) -> Scenario:
    from runbook_drill.harness.run.backlog import backlog_drained
    from runbook_drill.harness.run.scenario import TOOK_EFFECT

    return Scenario(id="quick-win", runbook="test", fault=lambda: make("none"), load=plan, during=[],
                    remediation=plan.remediate, heal_first=False, warmup_s=0, settle_s=0, fault_s=0.1,
                    recovery_starts_when=backlog_drained(500, least=20, hold_s=1.0), recovery_max_s=took_effect_s,
                    recovery_s=1.0, after=[c.condition_met(TOOK_EFFECT, "recovery", took_effect_s),
                                           c.latency("recovery", below_ms=500)])


def test_a_remediation_that_bites_after_4s_passes_when_the_symptom_then_stays_away(tmp_path):
    record = run_scenario(FakeStack(), _quick_win(Remedied(bites_s=4.0), took_effect_s=10), tmp_path)
    took = next(v for v in record.verdicts if v.check.startswith("remediation took effect"))
    assert record.status == "passed", record.verdicts
    assert 4.0 <= took.evidence["took_s"] < 6.5 and took.margin().passed


def test_a_remediation_whose_symptom_never_leaves_fails_at_its_deadline(tmp_path):
    record = run_scenario(FakeStack(), _quick_win(Remedied(bites_s=None), took_effect_s=2), tmp_path)
    took = next(v for v in record.verdicts if v.check.startswith("remediation took effect"))
    assert record.status == "failed" and took.status == "fail" and took.evidence["met"] is False


class Prepared(type(make("none"))):
    """A fault that needs a release of its own first (as pool_exhaustion does)."""

    prepares = True
    order: list = []

    def prepare(self, stack):
        self.order.append(("prepare", time.time()))
        return {"redeployed": 0}

    def _apply(self, stack):
        self.order.append(("apply", time.time()))


def test_a_fault_that_prepares_is_prepared_before_the_steady_state_and_the_fault_window_holds_its_injection_only(
        tmp_path):
    Prepared.order = []
    scenario = Scenario(id="prepared", runbook="test", fault=Prepared, load=PacedLoad(0.001), warmup_s=0,
                        steady=[c.error_rate("steady", below=0.01)], during=[], fault_s=0.1, settle_s=0, recovery_s=0.1)
    record = run_scenario(FakeStack(), scenario, tmp_path)
    (prepared, applied) = [t for _, t in Prepared.order]
    assert [name for name, _ in Prepared.order] == ["prepare", "apply"]
    assert _activity(record, "prepare none").error in (None, "")
    assert prepared < record.history["windows"]["steady"]["start"] < applied


class Announcing:
    """A fault written to the interface by duck typing (no Fault base): no `prepares`."""

    kind, evidence = "announcing", {}

    def inject(self, stack):
        return {"on": True}

    def heal(self, stack):
        return None

    def describe(self):
        return {"kind": self.kind, "params": {}}


def test_a_fault_without_the_base_class_runs_with_nothing_prepared(tmp_path):
    scenario = Scenario(id="duck", runbook="test", fault=Announcing, load=PacedLoad(0.001), warmup_s=0,
                        steady=[c.error_rate("steady", below=0.01)], during=[], fault_s=0.1, settle_s=0, recovery_s=0.1)
    record = run_scenario(FakeStack(), scenario, tmp_path)
    assert record.status == "passed", record.error
    assert not any(a.name.startswith("prepare") for a in record.activities)
