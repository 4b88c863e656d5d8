"""How soon a fault paged the on-call: per alert, the seconds from the fault's injection
(the "injected" window: a calibrated fault's calibration included)
to the alert firing (Prometheus) and to the page arriving at the receiver, read from a
scenario's recorded history (journal form: windows and event dicts).

Firing is first seen by a poll of Prometheus (every 0.5 s), the page's arrival is
stamped by the receiver: when the page came before the poll saw the alert firing, the
page is the earlier proof that it fired, and the firing time is the page's."""

from __future__ import annotations

from runbook_drill.harness.observe.history import History, Window


def _fault_window(history: History) -> Window | None:
    return history.windows.get("injected") or history.windows.get("fault")


def _already_firing(history: History, start: float) -> set[str]:
    """Returns the alerts firing at the last poll before `start`: set off before, not by this fault."""
    before = [e for e in history.events("alerts") if e.t < start]
    return set(before[-1].data["firing"]) if before else set()


def paging_times(history: History, end: float | None = None) -> dict[str, dict[str, float]]:
    """Returns alert -> {"firing_s", "paged_s" (when a page came)} for every alert that
    fired from the injection to the fault window's end (or to `end`: the alert matrix
    reads the whole scenario) and was not firing already when it began; {} when none
    did, or the scenario had no fault."""
    fault = _fault_window(history)
    if fault is None:
        return {}
    already = _already_firing(history, fault.start)
    times: dict[str, dict[str, float]] = {}
    for event in history.events(None, Window("paging", fault.start, fault.end if end is None else end)):
        since = round(event.t - fault.start, 2)
        if event.kind == "alerts":
            for name in set(event.data["firing"]) - already:
                times.setdefault(name, {}).setdefault("firing_s", since)
        elif event.kind == "page" and event.data.get("status") == "firing":
            for alert in [a for a in event.data["alerts"] if a["name"] not in already]:
                times.setdefault(alert["name"], {}).setdefault("paged_s", since)
    for seen in times.values():
        if "paged_s" in seen:
            seen["firing_s"] = min(seen.get("firing_s", seen["paged_s"]), seen["paged_s"])
    return times


def describe(times: dict[str, dict[str, float]]) -> str:
    """Returns "ServiceDown 6.1 s, paged 7.0 s; ..." ("-" when nothing fired)."""
    parts = []
    for name, seen in sorted(times.items()):
        firing = f"{seen['firing_s']:.1f} s" if "firing_s" in seen else "-"
        paged = f", paged {seen['paged_s']:.1f} s" if "paged_s" in seen else ", no page"
        parts.append(f"{name} {firing}{paged}")
    return "; ".join(parts) or "-"
