"""What every check is: a named claim about one window of the history, judged
afterwards into a Verdict - pass, fail or unknown, with the evidence (the samples) that
decided it. Missing data is "unknown", and so is a check that crashes - never "pass"."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from runbook_drill.harness.observe.history import Event, History, Window

PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"
REPLICAS = "replica-*"  # every User API replica: the deployment's logs and metrics as a whole
MIN_SAMPLES = 100  # a p99 or a 1% error rate over fewer requests means nothing


@dataclass
class Verdict:
    check: str
    status: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def margin(self):
        """Returns how far the deciding figure sat from its bound (checks.margins.Margin;
        None when unknown): a pass's distance inside, a failure's past it."""
        from runbook_drill.harness.checks import margins

        if self.status not in (PASS, FAIL):
            return None
        return margins.of(self.check, self.evidence, passed=self.status == PASS)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Verdict":
        """Returns the verdict a journal kept (its margin is computed again from the evidence)."""
        return cls(data["check"], data["status"], data.get("evidence", {}))

    def to_json(self) -> dict[str, Any]:
        """Returns the verdict as a journal keeps it, with its margin."""
        margin = self.margin()
        data = {"check": self.check, "status": self.status, "evidence": self.evidence}
        return {**data, "margin": margin.to_json()} if margin is not None else data


@dataclass
class Check:
    """A named claim about one window of the history."""

    description: str
    window: str
    judge: Callable[[History, Window], tuple[str, dict[str, Any]]]
    # A check decided by the number of samples (requests) its window holds: the runner
    # keeps that window open until the check is decided, within a bound.
    sampled: bool = False
    # "alerts": it reads Prometheus's alerts or the pages - the runner first waits until
    # nothing the last scenario set off is still firing.
    reads: str = ""
    # What it claims, as data (kind and bounds): for those who restate it in another tool
    # (a Chaos Toolkit hypothesis); empty for claims only the history can judge.
    claim: dict[str, Any] = field(default_factory=dict)

    def decided(self, history: History, window: Window) -> bool:
        """True when the check, judged on `window` now, is pass or fail (not unknown) -
        and, for a share, not a pass that a handful of samples would flip: the runner
        then holds the window open (within its bound) for the samples that widen its
        room or flip it, so one stray request in a short window decides nothing."""
        try:
            status, evidence = self.judge(history, window)
        except Exception:
            return False
        if status == UNKNOWN:
            return False
        margin = Verdict(self.description, status, evidence).margin()
        return not (margin is not None and margin.marginal and margin.room is not None)

    def evaluate(self, history: History) -> Verdict:
        window = history.windows.get(self.window)
        if window is None:
            return Verdict(self.description, UNKNOWN, {"reason": f"no {self.window!r} window was recorded"})
        try:
            status, evidence = self.judge(history, window)
        except Exception as exc:  # a broken check proves nothing
            return Verdict(self.description, UNKNOWN, {"reason": f"check crashed: {type(exc).__name__}: {exc}"})
        return Verdict(self.description, status, {"window": window.name, **evidence})


def samples(events: list[Event], limit: int = 5) -> list[dict]:
    """Returns the first `limit` events as evidence: time and data (log lines left out)."""
    return [{"t": round(e.t, 3), **{k: v for k, v in e.data.items() if k != "line"}} for e in events[:limit]]


def who(source: str) -> str:
    """Returns how a check's name says its source: a group of replicas is "the service"."""
    return "the service" if source == REPLICAS else source
