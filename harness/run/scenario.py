"""A scenario, as the runner takes it: one runbook claim, executable - the fault, the
load, the checks of each window, the runbook's remediation and what watches the run
phase by phase (a game day). Declarative: the scenarios/ modules fill these in."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from runbook_drill.harness.checks import Check
from runbook_drill.harness.faults.base import Fault
from runbook_drill.harness.observe.generator import LoadSpec
from runbook_drill.harness.observe.history import History


# The waits the runner records in the history ("condition" events, by these names) for
# checks to judge: the fault's effect settled, the remediation took effect.
SETTLED, TOOK_EFFECT = "fault settled", "remediation took effect"


class PhaseHook(Protocol):
    """What watches a run phase by phase (a game day): told before each phase starts
    (steady, fault, remediation, recovery) and after it ends, with the verdicts of that
    phase's checks on what is recorded so far (log lines are collected at the end) and
    a snapshot of the journal as it stands. Attached first to the run's history, where
    it may record what people saw (a game day's observations)."""

    def attach(self, history) -> None: ...

    def before(self, phase: str) -> None: ...

    def after(self, phase: str, verdicts: list, snapshot: Callable[[], Any]) -> None: ...


class Unwatched:
    """The hook of a run nobody watches."""

    def attach(self, history) -> None:
        return None

    def before(self, phase: str) -> None:
        return None

    def after(self, phase: str, verdicts: list, snapshot: Callable[[], Any]) -> None:
        return None


class LoadPlan(Protocol):
    """What a scenario's `load` is: something that builds a started-able generator
    (harness.observe.generator.LoadSpec builds the in-process one; load.generator.LocustSpec
    builds Locust's) - so the harness never imports load/. A plan may also have a
    `replica` (an index): its traffic then goes to that replica, not the load balancer."""

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
    # What must NOT happen for the claim to be the one shown (High Latency: the replicas
    # stay in the load balancer, not 503s). A guard that fails means the suite's own
    # magnitude produced another failure than the scenario exists for: the scenario is a
    # harness error naming it - never a pass of its claim, never a failure of the service.
    guards: list[Check] = field(default_factory=list)
    # What the runbook's remediation needs room for (scaled-out replicas not saturated by
    # the suite's quota). Judged only when a check failed: a room check that failed too
    # makes that failure a harness error - the magnitude, not the service, was shown wrong.
    room: list[Check] = field(default_factory=list)
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
    # Seconds the stack runs with its observers but no load before the load starts (the
    # "rest" window): what a replica burns on its own - probes, scrapes, housekeeping -
    # for a calibration that must know the fixed cost scaling out does not divide.
    rest_s: float = 0.0
    warmup_s: float = 1.0
    warm_when: Callable[[History], bool] | None = None
    warmup_max_s: float = 15.0
    # Each window's least length; a window then stays open until its sampled checks are
    # decided (an error rate, a p99 over 100 requests: ~2.6 s of the suite's load).
    steady_s: float = 1.0
    fault_s: float = 4.0
    recovery_s: float = 1.5  # served again (the load balancer ready) at least this long
    settle_s: float = 0.5  # after injection, before the fault_steady window starts
    # The fault_steady window opens once this holds of the history (polled after
    # settle_s, at most settle_max_s more; not met: it opens then, and the checks judge):
    # a transition - every replica out of the load balancer - is seen happen, on the
    # image's own time, not assumed after a fixed time measured on one image.
    settled_when: Callable[[History], bool] | None = None
    settle_max_s: float = 15.0
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
    # Where the scenario comes from: "built-in", or a team's file or entry point.
    origin: str = "built-in"
    # Prometheus queries recorded every second as "query" events, by name (what a
    # dashboard panel shows: checks.panel_shows judges them).
    queries: dict[str, str] = field(default_factory=dict)

    def checks(self) -> list[Check]:
        """Returns every check of the scenario, the guards last, in the order judged."""
        return [*self.steady, *self.during, *self.after, *self.guards, *self.room]


def call_step(step: Callable[..., Any], stack, fault: Fault) -> Any:
    """Calls a remediation with the fault when it takes one (a rotation's new secret)."""
    takes_fault = len(inspect.signature(step).parameters) >= 2
    return step(stack, fault) if takes_fault else step(stack)
