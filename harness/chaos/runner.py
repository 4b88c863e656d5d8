"""The runner: steady state -> fault (+ load) -> during-checks -> remediation ->
after-checks, with the final heal always run. It records first and judges later, and
writes a JSON journal per scenario: every activity (start, end, output, error), the
windows, the fault's evidence, every verdict with its evidence, and the history.

A harness failure (a fault that could not be applied, a container that did not start)
makes the scenario an "error"; a system that did not behave as the runbook says makes
it "failed". Missing evidence makes it "unknown". Only all-pass is "passed".

Windows the checks can name:
- steady: before the fault, with the load running;
- fault: from the injection on (first symptoms, log lines);
- fault_onset: the first `onset_s` seconds after injection (what the replicas answer
  before readiness has taken them out of the load balancer);
- fault_steady: after `settle_s`, once the load balancer and the pools have reacted;
- fault_late: the declared fault's last LATE_S seconds, on to its end: the symptom is
  still there once the injection's own transients have passed (a restarted dependency's
  broken connections are not the cause's symptom);
- recovery: after the remediation (and `recovery_settle_s`), the fault healed first or
  still in place, as the scenario's remediation kind says;
- recovered: the part of recovery from when the load balancer answers ready for good
  (no window at all if it never does: its checks are then unknown, and the check that
  it recovers in time fails).

Each window lasts its declared time at least, then stays open (within a bound) until
every check that needs samples - an error rate, a percentile - has enough requests in
it to be decided: a slow machine gets longer windows, never verdicts on too few.

Remediations come in two kinds: "fix, then refresh" (`heal_first=True`: the root cause is
repaired, then the runbook's step runs) and "mitigate" (`heal_first=False`: the step runs
with the fault still in place, or is itself the fix; the recovery window is measured
before the final heal)."""

from __future__ import annotations

import inspect
import json
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol

from harness import progress
from harness.alerts.detection import paging_times
from harness.chaos import observers
from harness.chaos.checks import FAIL, PASS, UNKNOWN, Check
from harness.errors import HarnessError
from harness.chaos.faults.base import Fault
from harness.chaos.generator import LoadSpec
from harness.chaos.history import History, Window
from harness.polling import wait_until

METRIC_NAMES = ("http_requests", "http_requests_errors", "http_request_duration_seconds",
                "db_connection_pool_active", "db_connection_pool_max", "redis_hits", "redis_misses",
                "auth_failures", "db_errors", "db_connection_pool_timeouts", "rate_limited")


class PhaseHook(Protocol):
    """What watches a run phase by phase (a game day): told before each phase starts
    (steady, fault, remediation, recovery) and after it ends, with the verdicts of that
    phase's checks on what is recorded so far (log lines are collected at the end) and
    a snapshot of the journal as it stands."""

    def before(self, phase: str) -> None: ...

    def after(self, phase: str, verdicts: list, snapshot: Callable[[], dict]) -> None: ...


class _Unwatched:
    def before(self, phase: str) -> None:
        return None

    def after(self, phase: str, verdicts: list, snapshot: Callable[[], dict]) -> None:
        return None


class LoadPlan(Protocol):
    """What a scenario's `load` is: something that builds a started-able generator
    (harness.chaos.generator.LoadSpec builds the in-process one; load.generator.LocustSpec
    builds Locust's) - so the harness never imports load/."""

    def build(self, history: History, target_url: str, auth_url: str, token: Callable[[], str]) -> Any: ...


@dataclass
class Scenario:
    """One runbook claim, executable."""

    id: str
    runbook: str  # the runbook section it proves
    fault: Callable[[], Fault]
    during: list[Check]
    after: list[Check] = field(default_factory=list)
    steady: list[Check] = field(default_factory=list)
    remediation: Callable[..., Any] | None = None  # (stack) or (stack, fault)
    remediation_name: str = ""
    heal_first: bool = True
    load: Any = field(default_factory=LoadSpec)  # a LoadPlan, or None for no load
    fault_load: Any = None  # extra traffic during the fault window only (a LoadPlan)
    background: list[Callable[[], Fault]] = field(default_factory=list)  # in place before steady
    prepare: Callable[[Any], Any] | None = None  # runs first, before the background faults
    # The load has settled once this holds of the history (polled after warmup_s, at most
    # warmup_max_s in all; None: at warmup_s): the first logins and what queued behind
    # them are not part of any window - a steady state is measured on a warm service.
    # At least warmup_s: a request is recorded once it ends, and the first, slowest
    # answers of a cold start may still be in flight when the first fast ones are in.
    warmup_s: float = 1.0
    warm_when: Callable[[History], bool] | None = None
    warmup_max_s: float = 15.0
    # Each window's least length; a window then stays open until its sampled checks are
    # decided (an error rate, a p99 over 100 requests: ~2.6 s of the suite's load).
    steady_s: float = 1.0
    fault_s: float = 4.0
    recovery_s: float = 1.5  # served again (the load balancer ready) at least this long
    settle_s: float = 0.5  # after injection, before the fault_steady window starts
    onset_s: float = 1.0
    recovery_settle_s: float = 0.0
    # The recovery window starts once this holds of the history (polled, at most
    # recovery_max_s): a remediation's effect must have arrived before it is judged -
    # a backlog queued behind a throttled replica drained, say.
    recovery_starts_when: Callable[[History], bool] | None = None
    recovery_max_s: float = 30.0  # the recovery window is extended until served again for recovery_s
    sample_max_s: float = 10.0  # a window is held open this much longer, at most, for its checks' samples
    title: str = ""
    proves: list[str] = field(default_factory=list)  # runbook claim ids / line anchors
    calibration: dict[str, Any] = field(default_factory=dict)  # magnitude -> why, and what it gave
    # Tunes the fault's magnitude after injection, before the fault windows begin:
    # (stack, fault, history) -> the steps tried, each magnitude with what it gave.
    calibrate: Callable[[Any, Fault, History], Any] | None = None


@dataclass
class Activity:
    name: str
    start: float
    end: float = 0.0
    output: Any = None
    error: str = ""


class Journal:
    """Activities in order, each timed, with its output or its error."""

    def __init__(self) -> None:
        self.activities: list[Activity] = []

    def run(self, name: str, action: Callable[[], Any]) -> Any:
        activity = Activity(name, time.time())
        self.activities.append(activity)
        try:
            output = action()
            activity.output = _recordable(output)
            return output
        except BaseException as exc:
            activity.error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            activity.end = time.time()


def _recordable(output: Any) -> Any:
    """Returns what the journal keeps of an activity's output: a container by its name
    (a remediation that starts one returns it), anything else as it is."""
    if hasattr(output, "get_wrapped_container"):
        wrapped = output.get_wrapped_container()
        return {"container": wrapped.name if wrapped is not None else "(not started)"}
    return output


def _observe(stack, history: History) -> list:
    """Starts the observers. Replicas are followed by index, so a replica replaced in
    place (a restart, a rollback, a redeploy) is observed under the same name."""
    pollers = []
    for i in range(len(stack.replicas)):
        source = f"replica-{i}"
        url = (lambda i=i: stack.url(i))
        pollers += [observers.probe(history, source, url, path) for path in ("/health/live", "/health/ready")]
        pollers += [observers.scrape(history, source, url, METRIC_NAMES),
                    observers.container_state(history, source, lambda i=i: stack.replicas[i]),
                    observers.resources(history, source, lambda i=i: stack.replicas[i])]
    if stack.lb is not None:
        pollers.append(observers.probe(history, "lb", stack.lb_url, "/health/ready"))
    if getattr(stack, "prometheus", None) is not None:
        pollers.append(observers.alerts(history, "prometheus", stack.prometheus_url))
    if getattr(stack, "pager", None) is not None:
        pollers.append(observers.pages(history, "pager", stack.pager_url))
    return [p.start() for p in pollers]


def _generator(stack, history: History, load):
    base = stack.lb_url() if stack.lb is not None else stack.url()
    auth = base if stack.lb is not None else stack.auth_url()  # the ingress routes logins to the auth service
    return load.build(history, base, auth, lambda i: stack.token(f"drill-load-{i}", ttl_seconds=3600))


DECIDE_POLL_S = 0.1  # how often an open window's checks are judged to see if they are decided
LATE_S = 1.5  # the fault_late window: the declared fault's last seconds


def _wait(seconds: float) -> None:
    time.sleep(seconds)  # the length of a measurement window, not a synchronisation


def call_step(step: Callable[..., Any], stack, fault: Fault) -> Any:
    """Calls a remediation with the fault when it takes one (a rotation's new secret)."""
    takes_fault = len(inspect.signature(step).parameters) >= 2
    return step(stack, fault) if takes_fault else step(stack)


class _Run:
    """The state of one scenario run, so each phase is a method of its own."""

    def __init__(self, stack, scenario: Scenario, hook: PhaseHook | None = None) -> None:
        self.stack, self.scenario, self.hook = stack, scenario, hook or _Unwatched()
        self.history, self.journal, self.fault = History(), Journal(), scenario.fault()
        self.background = [make() for make in scenario.background]
        self.pollers: list = []
        self.generators: list = []
        self.started = time.time()
        self.calibration = None

    def setup(self) -> None:
        progress.current().update("setup: observers and load")
        s, stack = self.scenario, self.stack
        if s.prepare:
            self.journal.run("prepare", lambda: s.prepare(stack))
        for fault in self.background:
            self.journal.run(f"background {fault.kind}", lambda f=fault: f.inject(stack))
        self.pollers = _observe(stack, self.history)
        if s.load:
            self.generators.append(_generator(stack, self.history, s.load).start())
            self.generators[-1].wait_ready()
            _wait(s.warmup_s)
            if s.warm_when:
                self.journal.run("warm-up", lambda: self._await(s.warm_when, s.warmup_max_s - s.warmup_s))
        if any(check.reads == "alerts" for check in s.steady + s.during + s.after):
            # What the last scenario set off must not count for this one (waited for
            # last: its alerts resolve while the load starts).
            self.journal.run("wait until no alert fires", lambda: {"still_active": stack.wait_alerts_quiet()})

    def measure(self) -> None:
        s = self.scenario
        for phase, step, checks in (("steady", self._steady, s.steady), ("fault", self._fault, s.during),
                                    ("remediation", self._remediate, []), ("recovery", self._recovery, s.after)):
            self.hook.before(phase)
            step()
            self.hook.after(phase, [check.evaluate(self.history) for check in checks], self.snapshot)

    def snapshot(self) -> dict[str, Any]:
        """Returns the journal record as it stands (status "running")."""
        s = self.scenario
        return _record(s, "running", "", self, [c.evaluate(self.history) for c in s.steady + s.during + s.after])

    def _steady(self) -> None:
        progress.current().update("steady state")
        t0 = time.time()
        _wait(self.scenario.steady_s)
        self._hold_until_decided({"steady": t0})
        self.history.mark("steady", t0, time.time())

    def _fault(self) -> None:
        s, stack, history = self.scenario, self.stack, self.history
        progress.current().update(f"fault: {self.fault.kind}")
        t1 = injected = time.time()
        evidence = self.journal.run(f"inject {self.fault.kind}", lambda: self.fault.inject(stack))
        history.record("fault", self.fault.kind, phase="start", evidence=evidence)
        if s.calibrate:
            self.calibration = self.journal.run("calibrate", lambda: s.calibrate(stack, self.fault, history))
            t1 = time.time()  # the fault windows measure the calibrated magnitude only
        if s.fault_load:
            self.generators.append(_generator(stack, history, s.fault_load).start())
        _wait(s.settle_s + s.fault_s)
        late = t1 + s.settle_s + max(0.0, s.fault_s - LATE_S)
        self._hold_until_decided({"fault": t1, "fault_steady": t1 + s.settle_s, "fault_late": late,
                                  "injected": injected})
        end = time.time()
        history.mark("fault", t1, end)
        history.mark("injected", injected, end)  # from the injection, calibration included: what paged
        history.mark("fault_onset", t1, min(end, t1 + s.onset_s))
        history.mark("fault_steady", t1 + s.settle_s, end)
        history.mark("fault_late", late, end)
        if s.fault_load:
            self.generators.pop().stop()

    def _remediate(self) -> None:
        s, stack, history = self.scenario, self.stack, self.history
        progress.current().update(f"remediation: {s.remediation_name}" if s.remediation else "heal")
        if s.heal_first:
            self.journal.run(f"heal {self.fault.kind} (root cause fixed)", lambda: self.fault.heal(stack))
            history.record("fault", self.fault.kind, phase="healed")
        if s.remediation:
            self.journal.run(f"remediation: {s.remediation_name}", lambda: call_step(s.remediation, stack, self.fault))
            history.record("remediation", s.remediation_name or "remediation", phase="done")
        _wait(s.recovery_settle_s)
        if s.recovery_starts_when:
            self.journal.run("wait for the remediation to take effect",
                             lambda: self._await(s.recovery_starts_when, s.recovery_max_s))

    def _await(self, condition: Callable[[History], bool], within_s: float) -> dict[str, Any]:
        """Polls `condition` on the history for up to `within_s`; returns how long it
        took and whether it was met (not met: the run goes on, and the checks judge)."""
        started = time.time()
        done = wait_until(lambda: condition(self.history), within_s, interval=DECIDE_POLL_S)
        return {"took_s": round(time.time() - started, 2), "condition_met": done}

    def _recovery(self) -> None:
        """The recovery window: at least `recovery_s`; then on, up to `recovery_max_s`,
        until the service has been served again for `recovery_s` and the checks of the
        recovered window are decided."""
        s = self.scenario
        progress.current().update("recovery")
        t2 = time.time()
        _wait(s.recovery_s)
        deadline = t2 + s.recovery_max_s
        while time.time() < deadline and not self._recovery_judgeable(t2):
            _wait(DECIDE_POLL_S)
        end = time.time()
        self.history.mark("recovery", t2, end)
        since = self._recovered_since(t2, end)
        if since is not None:
            self.history.mark("recovered", since, end)

    def _recovery_judgeable(self, t2: float) -> bool:
        if self.stack.lb is None:  # no load balancer: no "served again" to wait for
            return self._decided({"recovery": t2})
        since = self._recovered_since(t2, time.time())
        if since is None or time.time() - since < self.scenario.recovery_s:
            return False
        return self._decided({"recovery": t2, "recovered": since})

    def _hold_until_decided(self, starts: dict[str, float]) -> None:
        """Keeps the windows that begin at `starts` open (up to `sample_max_s` more)
        until every check needing samples from them is decided: a window ends once
        its checks have enough requests to judge, never with too few."""
        deadline = time.time() + self.scenario.sample_max_s
        while time.time() < deadline and not self._decided(starts):
            _wait(DECIDE_POLL_S)

    def _decided(self, starts: dict[str, float]) -> bool:
        now = time.time()
        checks = self.scenario.steady + self.scenario.during + self.scenario.after
        return all(check.decided(self.history, Window(check.window, starts[check.window], now))
                   for check in checks if check.sampled and check.window in starts)

    def _recovered_since(self, start: float, end: float) -> float | None:
        """Returns when the load balancer was seen answering ready for good in [start,
        end): the service as users see it again (None: not yet, or no load balancer).
        That is the first such probe's answer, not its sending: a request sent while
        the probe was in flight may still have found no server up."""
        window = Window("recovery", start, end)
        probes = [e for e in self.history.events("probe", window, "lb") if e.data["path"] == "/health/ready"]
        for i, probe in enumerate(probes):
            if all(p.data["status"] == 200 for p in probes[i:]):
                return probe.t + probe.data["latency"]
        return None

    def teardown(self) -> None:
        progress.current().update("teardown: load stopped, logs collected, final heal")
        for generator in reversed(self.generators):
            _safe(generator.stop)
        observers.stop_all(self.pollers)
        for i, replica in enumerate(self.stack.replicas):
            _safe(lambda: observers.collect_logs(self.history, f"replica-{i}", replica, self.started - 1))
            _safe(lambda: observers.collect_events(self.history, f"replica-{i}", replica, self.started - 1))
        for name, lines in getattr(self.stack, "removed_logs", {}).items():
            _safe(lambda: observers.record_log_lines(self.history, name, lines))
        for fault in [self.fault, *reversed(self.background)]:
            self.journal.run(f"final heal {fault.kind}", lambda f=fault: _safe(lambda: f.heal(self.stack)))


def run_scenario(stack, scenario: Scenario, journal_dir: Path, hook: PhaseHook | None = None) -> dict[str, Any]:
    """Runs one scenario on a started stack; returns (and writes) its journal. A `hook`
    is told of each phase (a game day walks through them).

    The final heal runs in every case, even on an error or Ctrl-C (which is re-raised
    once the journal is written)."""
    run = _Run(stack, scenario, hook)
    status, error, interrupted = None, "", None
    if hasattr(stack, "removed_logs"):
        stack.removed_logs.clear()
    try:
        run.setup()
        run.measure()
    except HarnessError as exc:
        status, error = "error", str(exc)
    except Exception as exc:
        status, error = "error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()[-1500:]}"
    except BaseException as exc:  # Ctrl-C, SIGTERM: clean up, write the journal, then stop
        status, error, interrupted = "error", f"interrupted ({type(exc).__name__})", exc
    finally:
        run.teardown()
    verdicts = [check.evaluate(run.history) for check in scenario.steady + scenario.during + scenario.after]
    if status is None:
        statuses = {v.status for v in verdicts}
        status = "failed" if FAIL in statuses else "unknown" if UNKNOWN in statuses else "passed"
    record = _write(journal_dir, scenario, status, error, run, verdicts)
    if interrupted is not None:
        raise interrupted
    return record


def _safe(action: Callable[[], Any]) -> Any:
    try:
        return action()
    except Exception as exc:  # cleanup keeps going; the journal keeps the error
        return f"failed: {type(exc).__name__}: {exc}"


def _write(journal_dir: Path, scenario: Scenario, status: str, error: str, run: _Run, verdicts) -> dict[str, Any]:
    record = _record(scenario, status, error, run, verdicts)
    journal_dir.mkdir(parents=True, exist_ok=True)
    (journal_dir / f"{scenario.id}.json").write_text(json.dumps(record, indent=1, default=str) + "\n")
    return record


def _record(scenario: Scenario, status: str, error: str, run: _Run, verdicts) -> dict[str, Any]:
    history = run.history.to_json()
    return {
        "scenario": scenario.id, "title": scenario.title, "runbook": scenario.runbook, "status": status,
        "error": error, "start": run.started, "end": time.time(), "proves": scenario.proves,
        "calibration": {**scenario.calibration, **({"measured": run.calibration} if run.calibration else {})},
        "remediation": scenario.remediation_name,
        "fault": {**run.fault.describe(), "evidence": run.fault.evidence},
        "background": [{**f.describe(), "evidence": f.evidence} for f in run.background],
        "activities": [vars(a) for a in run.journal.activities],
        "verdicts": [{"check": v.check, "status": v.status, "evidence": v.evidence} for v in verdicts],
        "paging": paging_times(history),
        "history": history,
    }


__all__ = ["Scenario", "run_scenario", "PASS", "FAIL", "UNKNOWN"]
