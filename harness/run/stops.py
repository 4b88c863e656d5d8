"""Stop conditions: bounds that end a scenario's fault early - as Gremlin halts an attack
on a failed health check and AWS FIS stops on an alarm. When one has held for its time,
the fault is healed at once, the recovery is still watched, and the scenario is
recorded **aborted** with the evidence that tripped it (exit 4).

    error_rate>20% for 10s     the share of the users' requests that failed (as the
                               checks count a failure) or got no answer at all stayed
                               over 20% for 10 s
    p99>5s for 30s             the p99 of the users' requests (an unanswered one at the
                               time it waited) stayed over 5 s for 30 s
    alert ServiceDown for 60s  the alert fired (Prometheus) for 60 s
    down for 300s              the load balancer answered no readiness probe with 200

"Stayed over for D": D is cut into ten buckets (at least 1 s each); the condition holds
in every bucket with evidence, and the first and the last have some - a bound is never
tripped by one slow request, nor by no traffic at all.

Defaults, from the runbook, for every run and game day: the error rate above 10x the
runbook's threshold for longer than the scenario's own fault can last (its plan's
longest time broken) plus a margin; the service down past the runbook's rollback
deadline. A `--stop-when` of the same kind (the same alert) replaces the default, any
other adds to them."""

from __future__ import annotations

import math
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

from runbook_drill.harness.errors import ConfigError
from runbook_drill.harness.observe.history import History, Window
from runbook_drill.harness.observe.statistics import failed, request_p99_ms
from runbook_drill.harness.stack.topology import READY_PATH

MARGIN_S = 30.0  # beyond the fault's own longest time broken
ERROR_FACTOR = 10.0  # times the runbook's error-rate threshold
BUCKETS = 10
POLL_S = 0.25  # how often the conditions are judged: a tripped one is healed well inside 2 s
EXAMPLES = "e.g. 'error_rate>20% for 10s', 'p99>5s for 30s', 'alert ServiceDown for 60s', 'down for 300s'"
_DURATION = r"(\d+(?:\.\d+)?)\s*(ms|s|m)"
_UNIT_S = {"ms": 0.001, "s": 1.0, "m": 60.0}
_FORMS = {
    "error_rate": re.compile(rf"^error_rate\s*>\s*(\d+(?:\.\d+)?)\s*%\s+for\s+{_DURATION}$"),
    "p99": re.compile(rf"^p99\s*>\s*{_DURATION}\s+for\s+{_DURATION}$"),
    "alert": re.compile(rf"^alert\s+([A-Za-z_][A-Za-z0-9_]*)\s+for\s+{_DURATION}$"),
    "down": re.compile(rf"^down\s+for\s+{_DURATION}$"),
}


@dataclass(frozen=True)
class StopCondition:
    """One bound: `kind` over `bound` (a ratio, or seconds) held for `for_s`."""

    kind: str
    for_s: float
    bound: float = 0.0
    alert: str = ""
    text: str = ""

    def key(self) -> str:
        """What a --stop-when replaces a default by: its kind (an alert: its name)."""
        return f"alert {self.alert}" if self.kind == "alert" else self.kind

    def held(self, history: History, now: float) -> dict[str, Any] | None:
        """Returns the evidence when the condition has held for `for_s` up to `now`,
        else None."""
        size = max(1.0, self.for_s / BUCKETS)
        count = max(1, math.ceil(self.for_s / size))
        buckets = [Window("stop", now - self.for_s + i * size, now - self.for_s + (i + 1) * size) for i in range(count)]
        seen = [_BUCKET[self.kind](self, history, w) for w in buckets]
        if seen[0] is None or seen[-1] is None or any(s is not None and not s[0] for s in seen):
            return None
        figures = [s[1] for s in seen if s is not None]
        return {"condition": self.text, "held_s": self.for_s, "buckets": len(figures), "figures": figures}


def _seconds(number: str, unit: str) -> float:
    return float(number) * _UNIT_S[unit]


def parse(text: str, alerts: set[str] | None = None) -> StopCondition:
    """Returns the condition `text` says; raises ConfigError (one line) for one it does
    not, an alert the stack's rules do not have, or a bound that cannot trip."""
    said = " ".join(text.split())
    for kind, form in _FORMS.items():
        match = form.match(said)
        if match:
            return _checked(_built(kind, match.groups(), said), alerts)
    raise ConfigError(f"--stop-when {text!r}: not a stop condition; {EXAMPLES}")


def _built(kind: str, groups: tuple, said: str) -> StopCondition:
    if kind == "error_rate":
        return StopCondition(kind, _seconds(*groups[1:]), bound=float(groups[0]) / 100, text=said)
    if kind == "p99":
        return StopCondition(kind, _seconds(*groups[2:]), bound=_seconds(*groups[:2]), text=said)
    if kind == "alert":
        return StopCondition(kind, _seconds(*groups[1:]), alert=groups[0], text=said)
    return StopCondition(kind, _seconds(*groups), text=said)


def _checked(condition: StopCondition, alerts: set[str] | None) -> StopCondition:
    where = f"--stop-when {condition.text!r}"
    if condition.for_s < 1:
        raise ConfigError(f"{where}: hold it for at least 1s (one request is not a symptom)")
    if condition.kind == "error_rate" and not 0 <= condition.bound < 1:
        raise ConfigError(f"{where}: an error rate bound must be under 100%")
    if condition.kind == "alert" and alerts is not None and condition.alert not in alerts:
        raise ConfigError(f"{where}: no alert {condition.alert!r} in the stack's rules; "
                          f"known: {', '.join(sorted(alerts))}")
    return condition


def defaults(threshold_ratio: float, rollback_deadline_s: float, broken_s: float) -> list[StopCondition]:
    """Returns the runbook's default stop conditions for a fault that stays in `broken_s`."""
    ratio, hold = min(threshold_ratio * ERROR_FACTOR, 0.99), broken_s + MARGIN_S
    return [StopCondition("error_rate", hold, bound=ratio, text=f"error_rate>{ratio:.0%} for {hold:.0f}s"),
            StopCondition("down", rollback_deadline_s, text=f"down for {rollback_deadline_s:.0f}s")]


def combined(default: list[StopCondition], given: list[StopCondition]) -> list[StopCondition]:
    """Returns the defaults with each one of a given condition's kind replaced by it."""
    replaced = {c.key() for c in given}
    return [c for c in default if c.key() not in replaced] + list(given)


def _ended(history: History, window: Window) -> tuple[list, list]:
    """Returns the users' requests that ended in the bucket as (answered, unanswered):
    by their end, so a request slower than a bucket is still counted."""
    ended = history.requests_ended(window.start, window.end)
    return [e for e in ended if e.data.get("status") is not None], [e for e in ended if e.data.get("status") is None]


def _error_rate(c: StopCondition, history: History, window: Window):
    """Failed answers as the checks count them, and - a bound on harm - no answer too."""
    answered, unanswered = _ended(history, window)
    if not answered and not unanswered:
        return None
    share = (sum(failed(e) for e in answered) + len(unanswered)) / (len(answered) + len(unanswered))
    return share > c.bound, round(share, 3)


def _p99(c: StopCondition, history: History, window: Window):
    answered, unanswered = _ended(history, window)
    p99_ms = request_p99_ms(answered, unanswered)
    return None if p99_ms is None else (p99_ms > c.bound * 1000, round(p99_ms, 1))


def _alert(c: StopCondition, history: History, window: Window):
    polls = history.events("alerts", window, "prometheus")
    if not polls:
        return None
    return all(c.alert in p.data.get("firing", []) for p in polls), len(polls)


def _down(c: StopCondition, history: History, window: Window):
    probes = history.probes(window, "lb", READY_PATH)
    if not probes:
        return None
    return all(p.data.get("status") != 200 for p in probes), len(probes)


_BUCKET = {"error_rate": _error_rate, "p99": _p99, "alert": _alert, "down": _down}


class Tripped(BaseException):
    """A stop condition held: like Ctrl-C, it unwinds whatever the run was doing."""

    def __init__(self, evidence: dict[str, Any]) -> None:
        super().__init__(f"stop condition {evidence['condition']!r} tripped")
        self.evidence = evidence


class Watch:
    """Judges the conditions on the history every `poll_s` (a thread); the first to
    hold is kept as `tripped` and `on_trip` is called once."""

    def __init__(self, conditions: list[StopCondition], history: History, on_trip, poll_s: float = POLL_S) -> None:
        self.conditions, self.history, self.on_trip, self.poll_s = conditions, history, on_trip, poll_s
        self.tripped: dict[str, Any] | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="stop-conditions")

    def start(self) -> "Watch":
        if self.conditions:
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.poll_s):
            now = time.time()
            for condition in self.conditions:
                evidence = condition.held(self.history, now)
                if evidence is not None:
                    self.tripped = {**evidence, "at": now}
                    self.on_trip()
                    return


def for_scenario(runbook, scenario, given: list[StopCondition]) -> list[StopCondition]:
    """Returns the stop conditions of one scenario: the runbook's defaults for how long
    its fault can last, each replaced by a given one of its kind, and the rest given."""
    from runbook_drill.harness.run.plan import broken_for_s

    default = defaults(runbook.value("threshold.error_rate"), runbook.value("service_down.rollback_deadline_s"),
                       broken_for_s(scenario))
    return combined(default, given)


def parse_all(texts: list[str] | None, runbook) -> list[StopCondition]:
    """Returns the conditions of every --stop-when, alerts checked against the rules the
    stack loads from `runbook`; raises ConfigError (one line) for the first bad one."""
    from runbook_drill.harness.alerts.rules import PROFILES, alerts

    names = {alert.name for alert in alerts(runbook, PROFILES["test"])}
    return [parse(text, names) for text in texts or []]
