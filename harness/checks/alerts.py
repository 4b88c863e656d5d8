"""Alert checks: Prometheus's alerts (polled) and the pages the primary on-call got -
firing in time, quiet, resolved, and every metric the rules read held."""

from __future__ import annotations

from runbook_drill.harness.checks.base import FAIL, PASS, UNKNOWN, Check, samples
from runbook_drill.harness.observe.history import Event, History, Window, lasting_from


def _firing_polls(history: History, win: Window, source: str) -> list[Event]:
    return history.events("alerts", win, source)


def _searched(history, win, since: str | None):
    """The span events are looked for in: from the `since` window's start (an alert set
    off by an earlier magnitude of the same fault counts, as early), to `win`'s end."""
    earlier = history.windows.get(since) if since else None
    return Window(win.name, min(win.start, earlier.start), win.end) if earlier else win


def _within(figure: str, seconds: float) -> dict:
    """The bound of a time-to-something check (its margin: the limit over the time taken)."""
    return {"figure": figure, "op": "<=", "value": seconds}


def alert_fires(name: str, window: str, within_s: float, source: str = "prometheus", since: str | None = None) -> Check:
    """Alert `name` is firing within `within_s` of the window's start (Prometheus's
    /api/v1/alerts, polled); with `since`, firing already from that window's start on
    counts too (at 0 s). Undecided while the window is younger than `within_s`."""
    def judge(history, win):
        polls = _firing_polls(history, _searched(history, win, since), source)
        if not polls:
            return UNKNOWN, {"reason": "Prometheus's alerts were not polled in the window"}
        first = next((e for e in polls if name in e.data["firing"]), None)
        if first is not None:
            took = max(0.0, first.t - win.start)
            return (PASS if took <= within_s else FAIL), {"seconds_to_firing": round(took, 2), "limit_s": within_s,
                                                          "bound": _within("seconds_to_firing", within_s)}
        if win.end - win.start < within_s:
            return UNKNOWN, {"reason": f"not firing yet after {win.end - win.start:.1f}s"}
        return FAIL, {"polls": len(polls), "firing_seen": sorted({n for e in polls for n in e.data["firing"]}),
                      "limit_s": within_s}
    return Check(f"alert {name} fires within {within_s:g}s", window, judge, sampled=True, reads="alerts")


def alerts_quiet(names: list[str], window: str, source: str = "prometheus") -> Check:
    """None of `names` is firing at any poll of the window (an unrelated page is noise
    that sends the on-call the wrong way)."""
    def judge(history, win):
        polls = _firing_polls(history, win, source)
        if not polls:
            return UNKNOWN, {"reason": "Prometheus's alerts were not polled in the window"}
        loud = [e for e in polls if set(e.data["firing"]) & set(names)]
        return (FAIL if loud else PASS), {"polls": len(polls), "firing": samples(loud)}
    return Check(f"no {', '.join(names)} alert fires", window, judge, reads="alerts")


def paged(name: str, receiver: str, window: str, within_s: float, source: str = "pager",
          since: str | None = None) -> Check:
    """The receiver (the primary on-call) got a firing page for alert `name` within
    `within_s` of the window's start (with `since`: a page from that window's start on
    counts, at 0 s if before)."""
    def judge(history, win):
        pages = [e for e in history.events("page", _searched(history, win, since), source)
                 if e.data["receiver"] == receiver
                 and any(a["name"] == name and a["status"] == "firing" for a in e.data["alerts"])]
        if pages:
            took = max(0.0, pages[0].t - win.start)
            return (PASS if took <= within_s else FAIL), {"seconds_to_page": round(took, 2), "limit_s": within_s,
                                                          "bound": _within("seconds_to_page", within_s),
                                                          "runbook_url": pages[0].data["alerts"][0].get("runbook_url")}
        if win.end - win.start < within_s:
            return UNKNOWN, {"reason": f"no page yet after {win.end - win.start:.1f}s"}
        received = [a["name"] for e in history.events("page", win, source) for a in e.data["alerts"]]
        return FAIL, {"pages_received": received, "limit_s": within_s}
    return Check(f"{receiver} paged for {name} within {within_s:g}s", window, judge, sampled=True, reads="alerts")


def alert_resolves(name: str, window: str, within_s: float, source: str = "prometheus") -> Check:
    """Alert `name` stops firing within `within_s` of the window's start and stays so
    to the window's end."""
    def judge(history, win):
        polls = _firing_polls(history, win, source)
        if not polls:
            return UNKNOWN, {"reason": "Prometheus's alerts were not polled in the window"}
        quiet_from = lasting_from(polls, lambda e: name not in e.data["firing"] and name not in e.data["pending"])
        if quiet_from is not None and quiet_from.t - win.start <= within_s:
            return PASS, {"seconds_to_resolved": round(quiet_from.t - win.start, 2), "limit_s": within_s,
                          "bound": _within("seconds_to_resolved", within_s)}
        if win.end - win.start < within_s:
            return UNKNOWN, {"reason": f"still firing after {win.end - win.start:.1f}s"}
        return FAIL, {"last_polls": samples(polls[-3:]), "limit_s": within_s}
    return Check(f"alert {name} resolves within {within_s:g}s", window, judge, sampled=True, reads="alerts")


def series_present(names: list[str], window: str, source: str = "prometheus") -> Check:
    """Prometheus holds series of every metric in `names` (an alert over a metric no one
    exports never fires, and says nothing). Read from the names recorded last in the
    scenario (a target scraped late still counts); a missing one is named."""
    def judge(history, win):
        recorded = history.events("series", None, source)
        if not recorded:
            return UNKNOWN, {"reason": "Prometheus's metric names were not recorded"}
        held = set(recorded[-1].data["names"])
        missing = sorted(set(names) - held)
        return (FAIL if missing else PASS), {"missing": missing, "checked": sorted(names)}
    return Check(f"Prometheus holds every metric the alert rules read ({len(names)})", window, judge)
