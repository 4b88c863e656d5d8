"""How soon a fault paged the on-call: per alert, the seconds from the fault's injection
(the "injected" window: a calibrated fault's calibration included)
to the alert firing (Prometheus) and to the page arriving at the receiver, read from a
scenario's recorded history (journal form: windows and event dicts).

Firing is first seen by a poll of Prometheus (every 0.5 s), the page's arrival is
stamped by the receiver: when the page came before the poll saw the alert firing, the
page is the earlier proof that it fired, and the firing time is the page's."""

from __future__ import annotations


def paging_times(history: dict) -> dict[str, dict[str, float]]:
    """Returns alert -> {"firing_s", "paged_s" (when a page came)} for every alert that
    fired in the fault window and was not firing already when it began; {} when none
    did, or the scenario had no fault."""
    fault = history["windows"].get("injected") or history["windows"].get("fault")
    if fault is None:
        return {}
    start, end = fault["start"], fault["end"]
    before = [e for e in history["events"] if e["kind"] == "alerts" and e["t"] < start]
    already = set(before[-1]["data"]["firing"]) if before else set()  # set off before: not this fault's
    times: dict[str, dict[str, float]] = {}
    for event in history["events"]:
        if not start <= event["t"] < end:
            continue
        if event["kind"] == "alerts":
            for name in set(event["data"]["firing"]) - already:
                times.setdefault(name, {}).setdefault("firing_s", round(event["t"] - start, 2))
        elif event["kind"] == "page" and event["data"].get("status") == "firing":
            for alert in [a for a in event["data"]["alerts"] if a["name"] not in already]:
                times.setdefault(alert["name"], {}).setdefault("paged_s", round(event["t"] - start, 2))
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
