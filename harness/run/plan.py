"""What a run would do, read before anything is touched (`--plan`): per scenario, the
faults in the order they go in (the background first), each with its magnitude, what it
touches and its blast radius; the remediation; and the longest time anything stays
broken - from the scenario's own windows and bounds, not a guess. Pure: no engine, no
container, no proxy is asked anything."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from runbook_drill.harness.run.scenario import Scenario

# Not every bound is the scenario's own: a calibration's steps and a remediation's own
# wait (a rollout, a restart) have their bounds inside them; this is the margin allowed
# for them when nothing else says.
CALIBRATION_MAX_S = 60.0
REMEDIATION_MAX_S = 60.0


@dataclass
class Step:
    """One fault as the plan shows it."""

    kind: str
    magnitude: dict[str, Any]
    touches: str
    radius: str
    background: bool = False


@dataclass
class Plan:
    """One scenario's plan; `longest_broken_s` bounds how long its faults stay in."""

    scenario: str
    title: str
    section: str
    faults: list[Step] = field(default_factory=list)
    calibrated: bool = False
    remediation: str = ""
    heal_first: bool = True
    longest_broken_s: float = 0.0

    def lines(self) -> list[str]:
        """Returns the plan as the terminal shows it."""
        out = [f"{self.scenario} ({self.section}): {self.title}"]
        for step in self.faults:
            values = ", ".join(f"{k}={v}" for k, v in step.magnitude.items()) or "no parameters"
            when = "background, before the steady state" if step.background else "the fault"
            out += [f"   {when}: {step.kind} ({values})", f"      touches: {step.touches}",
                    f"      blast radius: {step.radius}"]
        if self.calibrated:
            out.append("      magnitude: calibrated on the image at run time (journalled), from the value above")
        out.append(f"   remediation: {self._remediation()}")
        out.append(f"   longest time anything stays broken: {self.longest_broken_s:.0f} s")
        return out

    def _remediation(self) -> str:
        if not self.remediation:
            return "the fault healed (the root cause fixed)"
        if self.heal_first:
            return f"the fault healed, then: {self.remediation}"
        return f"{self.remediation}, with the fault still in place (healed at the end)"


def broken_for_s(s: Scenario) -> float:
    """Returns the longest time the scenario's faults can stay in place, every window at
    its upper bound: the fault from its injection to its heal (a fault the remediation
    works around stays in until the recovery is judged); a background fault from before
    the steady state to the end."""
    fault_in = s.settle_s + (s.settle_max_s if s.settled_when else 0.0) + s.fault_s + s.sample_max_s
    fault_in += CALIBRATION_MAX_S if s.calibrate else 0.0
    recovery = (REMEDIATION_MAX_S + s.recovery_settle_s + (s.recovery_max_s if s.recovery_starts_when else 0.0)
                + max(s.recovery_s, s.recovery_max_s))
    longest = fault_in if s.heal_first else fault_in + recovery
    if s.background:
        longest = max(longest, s.warmup_max_s + s.steady_s + s.sample_max_s + fault_in + recovery)
    return longest


def plan(s: Scenario) -> Plan:
    """Returns the plan of one scenario (makes its faults, applies none)."""
    steps = [_step(make(), background=True) for make in s.background] + [_step(s.fault())]
    return Plan(s.id, s.title, s.runbook, steps, s.calibrate is not None, s.remediation_name, s.heal_first,
                round(broken_for_s(s), 1))


def _step(fault, background: bool = False) -> Step:
    blast = fault.blast()
    return Step(fault.kind, dict(fault.values), blast["touches"], blast["radius"], background)
