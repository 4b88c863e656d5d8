"""The runner: steady state -> fault (+ load) -> during-checks -> remediation ->
after-checks, with the final heal always run. It records first and judges later, and
writes a JSON journal per scenario: every activity (start, end, output, error), the
windows, the fault's evidence, every verdict with its evidence, and the history.

A harness failure (a fault that could not be applied, a container that did not start,
a magnitude that showed another failure than the scenario's or left its remediation no
room: harness/run/verdict.py) makes the scenario an "error"; a system that did not behave
as the runbook says makes it "failed". Missing evidence makes it "unknown". Only all-pass
is "passed", and every verdict keeps its margin (harness/checks/margins.py).

Windows the checks can name:
- rest: with `rest_s`, the observers running and no load yet (a replica's fixed cost);
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
- recovered: the part of recovery from when the load balancer answers ready for good (no
  window if it never does: its checks are then unknown, the check that it recovers fails).

Each window lasts its declared time at least, then stays open (within a bound) until
every check that needs samples - an error rate, a percentile - has enough requests in
it to be decided: a slow machine gets longer windows, never verdicts on too few.

Remediations come in two kinds: "fix, then refresh" (`heal_first=True`: the root cause is
repaired, then the runbook's step runs) and "mitigate" (`heal_first=False`: the step runs
with the fault still in place, or is itself the fix; the recovery window is measured
before the final heal)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
import time
import traceback
from pathlib import Path
from typing import Any, Callable

from runbook_drill.harness import progress, signals
from runbook_drill.harness.alerts.detection import paging_times
from runbook_drill.harness.errors import HarnessError
from runbook_drill.harness.observe import observers, routes
from runbook_drill.harness.observe.history import History, Window
from runbook_drill.harness.polling import wait_until
from runbook_drill.harness.run import journal, verdict
from runbook_drill.harness.run.journal import Journal, ScenarioRecord
from runbook_drill.harness.run.scenario import SETTLED, TOOK_EFFECT, PhaseHook, Scenario, Unwatched, call_step
from runbook_drill.harness.run.stops import StopCondition, Tripped, Watch
from runbook_drill.harness.stack.protocol import StackLike
from runbook_drill.harness.stack.topology import LIVE_PATH, READY_PATH

METRIC_NAMES = ("http_requests", "http_requests_errors", "http_request_duration_seconds", "db_connection_pool_active",
                "db_connection_pool_max", "redis_hits", "redis_misses", "auth_failures", "db_errors",
                "db_connection_pool_timeouts", "rate_limited")


def _observe(stack: StackLike, history: History, queries: dict[str, str]) -> list:
    """Starts the observers (and `queries`, Prometheus queries by name). Replicas are followed
    by index, so a replica replaced in place (a restart, a redeploy) keeps its name."""
    routes.record(history, getattr(stack, "routes", None))  # first: the metric checks find the users routes by it
    pollers = []
    for i in range(len(stack.replicas)):
        source = f"replica-{i}"
        url = (lambda i=i: stack.url(i))
        pollers += [observers.probe(history, source, url, path) for path in (LIVE_PATH, READY_PATH)]
        pollers += [observers.scrape(history, source, url, METRIC_NAMES),
                    observers.container_state(history, source, lambda i=i: stack.replicas[i]),
                    observers.resources(history, source, lambda i=i: stack.replicas[i])]
    if stack.lb is not None:
        pollers.append(observers.probe(history, "lb", stack.lb_url, READY_PATH))
    if stack.prometheus is not None:
        pollers.append(observers.alerts(history, "prometheus", stack.prometheus_url))
        pollers += [observers.queries(history, "prometheus", stack.prometheus_url, queries)] if queries else []
    if stack.pager is not None:
        pollers.append(observers.pages(history, "pager", stack.pager_url))
    return [p.start() for p in pollers]


def _generator(stack, history: History, load):
    """Builds a load plan's generator: through the load balancer, or - for a plan
    with a `replica` (a counted load) - straight to that replica."""
    base = stack.lb_url() if stack.lb is not None else stack.url()
    auth = base if stack.lb is not None else stack.auth_url()  # the ingress routes logins to the auth service
    if getattr(load, "replica", None) is not None:
        base = stack.url(load.replica)
    return load.build(history, base, auth, lambda i: stack.token(f"drill-load-{i}", ttl_seconds=3600),
                      ids=tuple(stack.user_ids))


DECIDE_POLL_S = 0.1  # how often an open window's checks are judged to see if they are decided
LATE_S = 1.5  # the fault_late window: the declared fault's last seconds


def _wait(seconds: float) -> None:
    time.sleep(seconds)  # the length of a measurement window, not a synchronisation


class ScenarioRun:
    """The state of one scenario run, so each phase is a method of its own."""

    def __init__(self, stack, scenario: Scenario, hook: PhaseHook | None = None,
                 conditions: list[StopCondition] = ()) -> None:
        self.stack, self.scenario, self.hook = stack, scenario, hook or Unwatched()
        self.history, self.journal, self.fault = History(), Journal(), scenario.fault()
        self.watch = Watch(list(conditions), self.history, self._trip)
        self.hook.attach(self.history)
        self.armed = False  # a tripped condition interrupts the main thread (run_scenario arms it)
        self.background = [make() for make in scenario.background]
        self.pollers: list = []
        self.generators: list = []
        self.started = time.time()
        self.calibration = None
        self.healed = False

    def setup(self) -> None:
        progress.current().update("setup: observers and load")
        s, stack = self.scenario, self.stack
        if (reset := getattr(stack, "last_reset", None) or {}).get("replaced"):  # what the reset had to replace
            self.journal.run("reset replaced unready replicas", lambda: reset)
        if s.prepare:
            self.journal.run("prepare", lambda: s.prepare(stack))
        if getattr(self.fault, "prepares", False):  # before the background faults: it may redeploy the replicas
            self.journal.run(f"prepare {self.fault.kind}", lambda: self.fault.prepare(stack))
        for fault in self.background:
            self.journal.run(f"background {fault.kind}", lambda f=fault: f.inject(stack))
        self.pollers = _observe(stack, self.history, s.queries)
        self.watch.start()
        if s.rest_s:
            rested = time.time()
            _wait(s.rest_s)
            self.history.mark("rest", rested, time.time())
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

    def snapshot(self) -> ScenarioRecord:
        """Returns the journal record as it stands (status "running")."""
        s = self.scenario
        verdicts = verdict.evaluate(s.steady + s.during + s.after, s.guards, self.history, s.room)
        return _record(s, "running", "", self, verdicts)

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
        settled = self._settle(t1)
        _wait(max(0.0, settled + s.fault_s - time.time()))
        late = settled + max(0.0, s.fault_s - LATE_S)
        self._hold_until_decided({"fault": t1, "fault_steady": settled, "fault_late": late, "injected": injected})
        end = time.time()
        history.mark("fault", t1, end)
        history.mark("injected", injected, end)  # from the injection, calibration included: what paged
        history.mark("fault_onset", t1, min(end, t1 + s.onset_s))
        history.mark("fault_steady", settled, end)
        history.mark("fault_late", late, end)
        if s.fault_load:
            self.generators.pop().stop()

    def _settle(self, t1: float) -> float:
        """Returns when the fault_steady window opens: settle_s after `t1`, or - with
        `settled_when` - once that holds (journalled with how long it took)."""
        s = self.scenario
        _wait(max(0.0, t1 + s.settle_s - time.time()))
        if s.settled_when:
            self.journal.run("wait for the fault's effect to settle",
                             lambda: self._await(s.settled_when, s.settle_max_s, SETTLED))
        return max(time.time(), t1 + s.settle_s) if s.settled_when else t1 + s.settle_s

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
                             lambda: self._await(s.recovery_starts_when, s.recovery_max_s, TOOK_EFFECT))

    def _await(self, condition: Callable[[History], bool], within_s: float, name: str = "") -> dict[str, Any]:
        """Polls `condition` on the history for up to `within_s`; returns how long it
        took and whether it was met (not met: the run goes on, and the checks judge).
        A named wait is also recorded in the history ("condition"), for checks to judge."""
        started = time.time()
        done = wait_until(lambda: condition(self.history), within_s, interval=DECIDE_POLL_S)
        took = round(time.time() - started, 2)
        if name:
            self.history.record("condition", name, took_s=took, met=done, within_s=within_s)
        return {"took_s": took, "condition_met": done}

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
        return all(check.decided(self.history, Window(check.window, starts[check.window], now))
                   for check in self.scenario.checks() if check.sampled and check.window in starts)

    def _recovered_since(self, start: float, end: float) -> float | None:
        """Returns when the load balancer was seen answering ready for good in [start,
        end): the service as users see it again (None: not yet, or no load balancer)."""
        return self.history.ready_for_good_since("lb", READY_PATH, Window("recovery", start, end))

    def teardown(self, heal_first: bool = False) -> None:
        """Stops the load and the observers, collects the logs and heals every fault -
        the faults first when `heal_first` (the kill switch: healed within its 2 s)."""
        progress.current().update("teardown: load stopped, logs collected, final heal")
        self.armed = False  # nothing interrupts the cleanup
        self.watch.stop()
        if heal_first:
            self._final_heal()
        for generator in reversed(self.generators):
            _safe(generator.stop)
        observers.stop_all(self.pollers)
        for i, replica in enumerate(self.stack.replicas):
            _safe(lambda: observers.collect_logs(self.history, f"replica-{i}", replica, self.started - 1))
            _safe(lambda: observers.collect_events(self.history, f"replica-{i}", replica, self.started - 1))
        for name, lines in self.stack.removed_logs.items():
            _safe(lambda: observers.record_log_lines(self.history, name, lines))
        self._final_heal()

    def _trip(self) -> None:
        """Called by the watch (its thread) when a stop condition holds."""
        if self.armed:
            os.kill(os.getpid(), signal.SIGUSR2)

    def after_trip(self) -> BaseException | None:
        """A stop condition held: heals now, then still watches the recovery (its
        evidence, not a verdict); returns a Ctrl-C or abort met meanwhile, to re-raise."""
        self.armed = False
        self.history.record("stop", "stop-conditions", **self.watch.tripped)
        self._final_heal()
        try:
            self._recovery()
        except (KeyboardInterrupt, SystemExit, signals.Aborted) as exc:
            return exc
        except Exception:  # the recovery after a trip is evidence; the verdict is aborted
            pass
        return None

    def _final_heal(self) -> None:
        if self.healed:
            return
        self.healed = True
        for fault in [self.fault, *reversed(self.background)]:
            self.journal.run(f"final heal {fault.kind}", lambda f=fault: _safe(lambda: f.heal(self.stack)))


def run_scenario(stack: StackLike, scenario: Scenario, journal_dir: Path, hook: PhaseHook | None = None,
                 conditions: list[StopCondition] = ()) -> ScenarioRecord:
    """Runs one scenario on a started stack; returns (and writes) its journal record. A `hook`
    is told of each phase (a game day walks through them); a stop condition of
    `conditions` that holds heals the fault at once and ends the scenario aborted.

    The final heal runs in every case, even on an error or Ctrl-C (which is re-raised
    once the journal is written)."""
    run = ScenarioRun(stack, scenario, hook, conditions)
    status, error, interrupted = None, "", None
    stack.removed_logs.clear()
    try:
        with _tripping(run):
            run.setup()
            run.measure()
    except Tripped as exc:
        status, error = "aborted", f"{exc}: {json.dumps(exc.evidence, default=str)[:400]}"
        interrupted = run.after_trip()
    except HarnessError as exc:
        status, error = "error", str(exc)
    except Exception as exc:
        status, error = "error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()[-1500:]}"
    except signals.Aborted as exc:  # the kill switch: heal first, write the journal, then stop
        status, error, interrupted = "aborted", str(exc), exc
    except BaseException as exc:  # Ctrl-C, SIGTERM: clean up, write the journal, then stop
        status, error, interrupted = "error", f"interrupted ({type(exc).__name__})", exc
    finally:
        run.teardown(heal_first=status == "aborted")
    verdicts = verdict.evaluate(scenario.steady + scenario.during + scenario.after, scenario.guards, run.history,
                                scenario.room)
    if status is None:
        status, error = verdict.status_of(verdicts)
    record = journal.write(journal_dir, _record(scenario, status, error, run, verdicts))
    if interrupted is not None:
        raise interrupted
    return record


@contextlib.contextmanager
def _tripping(run: ScenarioRun):
    """Makes a tripped stop condition raise Tripped in this (the main) thread while the
    block runs; in another thread the condition is only recorded, and raised after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        if run.watch.tripped:
            raise Tripped(run.watch.tripped)
        return
    previous = signal.signal(signal.SIGUSR2, lambda *_: _raise_tripped(run))
    run.armed = True
    try:
        yield
    finally:
        run.armed = False
        # Never back to the default (which ends the process): the watch may still be
        # sending its signal as the block ends.
        signal.signal(signal.SIGUSR2, signal.SIG_IGN if previous in (signal.SIG_DFL, None) else previous)


def _raise_tripped(run: ScenarioRun) -> None:
    if run.armed and run.watch.tripped:
        run.armed = False
        raise Tripped(run.watch.tripped)


def _safe(action: Callable[[], Any]) -> Any:
    try:
        return action()
    except Exception as exc:  # cleanup keeps going; the journal keeps the error
        return f"failed: {type(exc).__name__}: {exc}"


def _record(scenario: Scenario, status: str, error: str, run: ScenarioRun, verdicts) -> ScenarioRecord:
    return ScenarioRecord(
        scenario=scenario.id, title=scenario.title, runbook=scenario.runbook, status=status, error=error,
        start=run.started, end=time.time(), proves=scenario.proves,
        calibration={**scenario.calibration, **({"measured": run.calibration} if run.calibration else {})},
        remediation=scenario.remediation_name,
        fault={**run.fault.describe(), "evidence": run.fault.evidence},
        background=[{**f.describe(), "evidence": f.evidence} for f in run.background],
        activities=list(run.journal.activities), verdicts=list(verdicts),
        paging=paging_times(run.history), history=run.history.to_json(), stop=run.watch.tripped)
