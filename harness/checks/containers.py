"""Container checks: the engine's events (oom, die), the container's state and its
resource readings (memory, CPU throttling)."""

from __future__ import annotations

from typing import Any

from runbook_drill.harness.checks.base import FAIL, PASS, UNKNOWN, Check, who
from runbook_drill.harness.observe.statistics import cpu_cores


def docker_event(source: str, action: str, window: str) -> Check:
    """The container engine reported `action` (oom, die, ...) for the source's containers."""
    def judge(history, win):
        events = history.events("event", win, source)
        matching = [e for e in events if str(e.data.get("action", "")).startswith(action)]
        return (PASS if matching else FAIL), {"matching": len(matching), "events": len(events),
                                              "actions": sorted({str(e.data.get("action")) for e in events})}
    return Check(f"{who(source)} events show {action!r}", window, judge)


KILLED = "137"  # the exit code of a process the engine killed (SIGKILL) after the grace period


def ended_on_sigterm(source: str, window: str) -> Check:
    """Every container of the source that ended before the window's end (a replica the
    remediation restarted: SIGTERM, then SIGKILL after 10 s) ended by itself: none exited
    137. Unknown when none ended (nothing was restarted)."""
    def judge(history, win):
        ended = [e for e in history.events("event", source=source) if e.data.get("action") == "die" and e.t < win.end]
        if not ended:
            return UNKNOWN, {"reason": "no container of the source ended"}
        killed = [e for e in ended if str(e.data.get("exit_code")) == KILLED]
        return (FAIL if killed else PASS), {"ended": len(ended), "killed": len(killed),
                                            "exit_codes": sorted({str(e.data.get("exit_code")) for e in ended}),
                                            "bound": {"figure": "killed", "op": "<=", "value": 0}}
    return Check(f"{who(source)} restarted end on SIGTERM within the grace period (none killed: exit {KILLED})",
                 window, judge)


def resource_bounded(source: str, field_name: str, window: str, baseline: str, slack: float) -> Check:
    """The reading stays within `slack` of its peak in the `baseline` window, on every
    source (memory bounded under traffic that could have grown it)."""
    def judge(history, win):
        base_win = history.windows.get(baseline)
        if base_win is None:
            return UNKNOWN, {"reason": f"no {baseline!r} window"}
        before, during = history.events("resources", base_win, source), history.events("resources", win, source)
        if not before or not during:
            return UNKNOWN, {"reason": "no resource readings in both windows"}
        peaks: dict[str, float] = {}
        for e in before:
            peaks[e.source] = max(peaks.get(e.source, 0), e.data[field_name])
        growth: dict[str, float] = {}
        for e in during:
            grown = e.data[field_name] - peaks.get(e.source, 0)
            growth[e.source] = max(growth.get(e.source, grown), grown)
        most = max(growth.values())
        return (PASS if most <= slack else FAIL), {"growth_over_baseline_peak": growth, "slack": slack,
                                                   "most_growth": most,
                                                   "bound": {"figure": "most_growth", "op": "<=", "value": slack}}
    return Check(f"{who(source)} {field_name} stays within {slack:g} of its {baseline} peak", window, judge)


def container(source: str, field_name: str, window: str, equals: Any = None, rises: bool = False,
              stays: bool = False) -> Check:
    """A container state field equals a value at some point, rises over the window (on
    some container of the source), or stays as it was (on every one)."""
    def judge(history, win):
        states = history.events("container", win, source)
        if not states:
            return UNKNOWN, {"reason": "no container states in the window"}
        by_source: dict[str, list] = {}
        for e in states:
            by_source.setdefault(e.source, []).append(e.data[field_name])
        if rises:
            ok = any(v[-1] > v[0] for v in by_source.values())
        elif stays:
            ok = all(v[-1] == v[0] for v in by_source.values())
        else:
            ok = any(equals in v for v in by_source.values())
        return (PASS if ok else FAIL), {"first": {s: v[0] for s, v in by_source.items()},
                                        "last": {s: v[-1] for s, v in by_source.items()},
                                        "observations": len(states)}
    what = "rises" if rises else "stays" if stays else f"is {equals!r}"
    return Check(f"{who(source)} {field_name} {what}", window, judge)


def cpu_busy(source: str, window: str, below: float) -> Check:
    """Every container of the source used less than `below` of its CPU limit over the
    window (CPU time per second from the resource readings, over the limit its state
    reports; a container with no limit is left out): capacity to spare - a scaled-out
    deployment the suite's quota leaves room to work."""
    def judge(history, win):
        busy: dict[str, float] = {}
        for src, used in cpu_cores(history.events("resources", win, source)).items():
            limits = [e.data.get("cpus") or 0 for e in history.events("container", win, src)]
            if limits and limits[-1]:
                busy[src] = round(used / limits[-1], 3)
        if not busy:
            return UNKNOWN, {"reason": "no container with a CPU limit and two resource readings in the window"}
        most = max(busy.values())
        return (PASS if most < below else FAIL), {"busy_share": busy, "most_busy": most,
                                                  "bound": {"figure": "most_busy", "op": "<", "value": below}}
    return Check(f"{who(source)} CPU use under {below:.0%} of the limit", window, judge)


def resource(source: str, field_name: str, window: str, rises: bool = True) -> Check:
    """A resource reading (memory_bytes, throttled_periods, ...) rises over the window."""
    def judge(history, win):
        readings = history.events("resources", win, source)
        if len(readings) < 2:
            return UNKNOWN, {"reason": f"{len(readings)} resource reading(s) in the window"}
        first, last = readings[0].data[field_name], readings[-1].data[field_name]
        return (PASS if (last > first) == rises else FAIL), {"first": first, "last": last,
                                                             "readings": len(readings)}
    return Check(f"{source} {field_name} {'rises' if rises else 'does not rise'}", window, judge)
