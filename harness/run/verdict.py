"""A scenario's verdict from its checks' verdicts, read in one place: "failed" when the
service was shown wrong, "unknown" when the evidence was too thin, "passed" when every
check passed - and a harness error when the suite's own magnitude decided it:
- a guard failed: the magnitude showed another failure than the one the scenario exists
  for (an outage where High Latency was claimed), so neither a pass of its claim nor a
  failure of the service was shown;
- a check failed while a room check failed too: the magnitude left the runbook's
  remediation no room to work (scaled-out replicas still saturated by the suite's quota),
  so the remediation was not shown wrong either."""

from __future__ import annotations

import json

from runbook_drill.harness.checks import FAIL, PASS, UNKNOWN, Check, Verdict
from runbook_drill.harness.observe.history import History

OVERSHOT = "the magnitude overshot"
NO_ROOM = "the magnitude left the remediation no room"
ROLES = ("guard", "room")  # verdicts of these checks carry their role in the evidence


def evaluate(checks: list[Check], guards: list[Check], history: History, room: list[Check] = ()) -> list[Verdict]:
    """Returns the verdict of every check, then of every guard and room check (each
    marked with its role)."""
    found = [check.evaluate(history) for check in checks]
    for role, extra in (("guard", guards), ("room", room)):
        for check in extra:
            verdict = check.evaluate(history)
            verdict.evidence = {**verdict.evidence, role: True}
            found.append(verdict)
    return found


def status_of(verdicts: list[Verdict]) -> tuple[str, str]:
    """Returns (status, error): "error" naming the first failed guard - or, when a check
    failed, the first failed room check - and its evidence; else "failed", "unknown" or
    "passed" from the checks (a guard undecided: unknown; room checks decide nothing
    when every check passed)."""
    role = {v.check: next((r for r in ROLES if v.evidence.get(r)), "") for v in verdicts}
    broken = next((v for v in verdicts if role[v.check] == "guard" and v.status == FAIL), None)
    if broken is not None:
        return "error", _said(OVERSHOT, broken)
    claims = {v.status for v in verdicts if role[v.check] != "room"}
    cramped = next((v for v in verdicts if role[v.check] == "room" and v.status == FAIL), None)
    if claims != {PASS} and cramped is not None:
        return "error", _said(NO_ROOM, cramped)
    return ("failed" if FAIL in claims else "unknown" if UNKNOWN in claims else "passed"), ""


def _said(what: str, verdict: Verdict) -> str:
    evidence = {k: v for k, v in verdict.evidence.items() if k not in (*ROLES, "bound", "window")}
    return f"{what}: {verdict.check} did not hold: {json.dumps(evidence, default=str)[:300]}"
