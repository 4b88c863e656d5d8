"""Condition checks: a condition the runner waited for (a remediation taking effect, a
fault's effect settling) held within its deadline - read from the "condition" event the
runner records when it stops waiting, so "it recovered" is a verdict with its time, not
a window that happened to open."""

from __future__ import annotations

from runbook_drill.harness.checks.base import FAIL, PASS, UNKNOWN, Check


def condition_met(name: str, window: str, within_s: float, description: str = "") -> Check:
    """The runner's wait for `name` ended with the condition met, within `within_s`
    (the wait is recorded in the history at its end, in or just before `window`)."""
    def judge(history, win):
        waits = [e for e in history.events("condition", None, name) if e.t <= win.end]
        if not waits:
            return UNKNOWN, {"reason": f"the runner did not wait for {name!r}"}
        last = waits[-1].data
        ok = last["met"] and last["took_s"] <= within_s
        return (PASS if ok else FAIL), {"met": last["met"], "took_s": last["took_s"], "limit_s": within_s,
                                        "bound": {"figure": "took_s", "op": "<=", "value": within_s}}
    return Check(description or f"{name} within {within_s:g}s", window, judge)
