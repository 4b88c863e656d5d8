"""The runner: steady state -> fault (+ load) -> during-checks -> remediation ->
after-checks, with the final heal always run. It records first and judges later, and
writes a JSON journal per scenario: every activity (start, end, output, error), the
windows, the fault's evidence, every verdict with its evidence, and the history.

A harness failure (a fault that could not be applied, a container that did not start)
makes the scenario an "error"; a system that did not behave as the runbook says makes
it "failed". Missing evidence makes it "unknown". Only all-pass is "passed"."""

from __future__ import annotations

import json
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from harness import observers
from harness.checks import FAIL, PASS, UNKNOWN, Check
from harness.errors import HarnessError
from harness.faults.base import Fault
from harness.generator import Generator, LoadSpec
from harness.history import History

METRIC_NAMES = ("http_requests", "http_requests_errors", "db_connection_pool_active", "redis_hits",
                "redis_misses", "auth_failures", "db_errors", "db_connection_pool_timeouts")


@dataclass
class Scenario:
    """One runbook claim, executable."""

    id: str
    runbook: str
    fault: Callable[[], Fault]
    during: list[Check]
    after: list[Check] = field(default_factory=list)
    steady: list[Check] = field(default_factory=list)
    remediation: Callable[[Any], None] | None = None
    remediation_name: str = ""
    load: Any = field(default_factory=LoadSpec)  # LoadSpec, load.generator.LocustSpec or None
    steady_s: float = 2.0
    fault_s: float = 4.0
    recovery_s: float = 4.0
    settle_s: float = 0.5  # after injection, before the fault window starts to count


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
            activity.output = action()
            return activity.output
        except BaseException as exc:
            activity.error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            activity.end = time.time()


def _observe(stack, history: History) -> list:
    pollers = [observers.probe(history, f"replica-{i}", lambda c=c: stack.replica_url(c), path)
               for i, c in enumerate(stack.replicas) for path in ("/health/live", "/health/ready")]
    pollers += [observers.scrape(history, f"replica-{i}", lambda c=c: stack.replica_url(c), METRIC_NAMES)
                for i, c in enumerate(stack.replicas)]
    pollers += [observers.container_state(history, f"replica-{i}", c) for i, c in enumerate(stack.replicas)]
    pollers += [observers.resources(history, f"replica-{i}", c) for i, c in enumerate(stack.replicas)]
    if stack.lb is not None:
        pollers += [observers.probe(history, "lb", stack.lb_url, "/health/ready")]
    return [p.start() for p in pollers]


def _generator(stack, history: History, load):
    """Returns the generator for the scenario's load: the in-process one for a LoadSpec,
    Locust (in processes of its own) for a LocustSpec."""
    base = stack.lb_url if stack.lb is not None else stack.url
    if isinstance(load, LoadSpec):
        token = stack.token("drill-load", ttl_seconds=3600)
        return Generator(history, base, lambda: token, load)
    from load.generator import LocustGenerator

    return LocustGenerator(history, base(), stack.auth_url(), load)


def _wait(seconds: float) -> None:
    time.sleep(seconds)  # the length of a measurement window, not a synchronisation


def run_scenario(stack, scenario: Scenario, journal_dir: Path) -> dict[str, Any]:
    """Runs one scenario on a started stack; returns (and writes) its journal.

    The root cause is healed before the remediation (the runbook's steps assume it is
    being fixed) and healed again at the end in every case, even on an error or Ctrl-C.
    """
    history, journal, fault = History(), Journal(), scenario.fault()
    started, status, error, interrupted = time.time(), None, "", None
    pollers, generator = [], None
    try:
        pollers = _observe(stack, history)
        if scenario.load:
            generator = _generator(stack, history, scenario.load).start()
            generator.wait_ready()
        t0 = time.time()
        _wait(scenario.steady_s)
        history.mark("steady", t0, time.time())
        t1 = time.time()
        evidence = journal.run(f"inject {fault.kind}", lambda: fault.inject(stack))
        history.record("fault", fault.kind, phase="start", evidence=evidence)
        _wait(scenario.settle_s + scenario.fault_s)
        # "fault": from the injection on (first symptoms, log lines); "fault_steady":
        # after the settle time, once the load balancer and the pools have reacted.
        history.mark("fault", t1, time.time())
        history.mark("fault_steady", t1 + scenario.settle_s, time.time())
        journal.run(f"heal {fault.kind} (root cause fixed)", lambda: fault.heal(stack))
        history.record("fault", fault.kind, phase="healed")
        if scenario.remediation:
            journal.run(f"remediation: {scenario.remediation_name}", lambda: scenario.remediation(stack))
        t2 = time.time()
        _wait(scenario.recovery_s)
        history.mark("recovery", t2, time.time())
    except HarnessError as exc:
        status, error = "error", str(exc)
    except Exception as exc:
        status, error = "error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()[-1500:]}"
    except BaseException as exc:  # Ctrl-C, SIGTERM: clean up, write the journal, then stop
        status, error, interrupted = "error", f"interrupted ({type(exc).__name__})", exc
    finally:
        if generator:
            generator.stop()
        for poller in pollers:
            poller.stop()
        for i, replica in enumerate(stack.replicas):
            _safe(lambda: observers.collect_logs(history, f"replica-{i}", replica, started - 1))
        journal.run(f"final heal {fault.kind}", lambda: _safe(lambda: fault.heal(stack)))
    verdicts = [check.evaluate(history) for check in scenario.steady + scenario.during + scenario.after]
    if status is None:
        statuses = {v.status for v in verdicts}
        status = "failed" if FAIL in statuses else "unknown" if UNKNOWN in statuses else "passed"
    record = _write(journal_dir, scenario, status, error, started, journal, fault, history, verdicts)
    if interrupted is not None:
        raise interrupted
    return record


def _safe(action: Callable[[], Any]) -> Any:
    try:
        return action()
    except Exception as exc:  # cleanup keeps going; the journal keeps the error
        return f"failed: {type(exc).__name__}: {exc}"


def _write(journal_dir: Path, scenario: Scenario, status: str, error: str, started: float, journal: Journal,
           fault: Fault, history: History, verdicts) -> dict[str, Any]:
    record = {
        "scenario": scenario.id, "runbook": scenario.runbook, "status": status, "error": error,
        "start": started, "end": time.time(), "fault": {**fault.describe(), "evidence": fault.evidence},
        "activities": [vars(a) for a in journal.activities],
        "verdicts": [{"check": v.check, "status": v.status, "evidence": v.evidence} for v in verdicts],
        "history": history.to_json(),
    }
    journal_dir.mkdir(parents=True, exist_ok=True)
    (journal_dir / f"{scenario.id}.json").write_text(json.dumps(record, indent=1, default=str) + "\n")
    return record


__all__ = ["Scenario", "run_scenario", "PASS", "FAIL", "UNKNOWN"]
