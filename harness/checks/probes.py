"""Probe checks: what a replica's or the load balancer's health endpoints answered -
the share of a status, failures (Kubernetes' semantics: a timeout fails), a status
reached in time and kept, and what a failed answer names."""

from __future__ import annotations

from runbook_drill.harness.checks.base import FAIL, PASS, UNKNOWN, Check, samples, who
from runbook_drill.harness.observe.history import lasting_from


UNANSWERED_MAX = 0.2  # probes without an answer a share may leave out before it is unknown


def probe_status(source: str, path: str, status: int | None, window: str, share: float = 1.0) -> Check:
    """At least `share` of the answered probes of source+path in the window answered
    `status`. A probe with no answer within its timeout is unknown - neither the status
    nor another: left out of the share and counted; over UNANSWERED_MAX of them (or no
    answer at all), the verdict is unknown. `status` None claims no answer (a frozen
    process): then every probe counts."""
    def judge(history, win):
        probes = history.probes(win, source, path)
        answered = [e for e in probes if e.data["status"] is not None or status is None]
        unanswered = len(probes) - len(answered)
        if not answered or unanswered > UNANSWERED_MAX * len(probes):
            return UNKNOWN, {"reason": f"{unanswered} of {len(probes)} probes got no answer", "probes": len(probes)}
        matching = [e for e in answered if e.data["status"] == status]
        ratio = len(matching) / len(answered)
        return (PASS if ratio >= share else FAIL), {"probes": len(probes), "unanswered": unanswered,
                                                    "matching": len(matching), "share": round(ratio, 3),
                                                    "bound": {"figure": "share", "op": ">=", "value": share,
                                                              "of": len(answered)},
                                                    "statuses_seen": sorted({str(e.data["status"]) for e in probes}),
                                                    "first_mismatches": samples([e for e in answered
                                                                                  if e not in matching])}
    return Check(f"{source} {path} answers {status} (>= {share:.0%} of probes)", window, judge)


def probe_fails(source: str, path: str, window: str, share: float = 1.0) -> Check:
    """At least `share` of the probes failed: any answer but 200, or none within the
    probe's timeout (Kubernetes counts a probe timeout as a failure)."""
    def judge(history, win):
        probes = history.probes(win, source, path)
        if not probes:
            return UNKNOWN, {"reason": "no probes in the window"}
        failed = [e for e in probes if e.data["status"] != 200]
        ratio = len(failed) / len(probes)
        return (PASS if ratio >= share else FAIL), {"probes": len(probes), "failed": len(failed),
                                                    "share": round(ratio, 3),
                                                    "bound": {"figure": "share", "op": ">=", "value": share,
                                                              "of": len(probes)},
                                                    "statuses_seen": sorted({str(e.data["status"]) for e in probes})}
    return Check(f"{who(source)} {path} fails (>= {share:.0%} of probes)", window, judge)


def probe_status_within(source: str, path: str, status: int, window: str, seconds: float) -> Check:
    """Within `seconds` of the window's start, source+path answers `status` and keeps answering it."""
    def judge(history, win):
        probes = history.probes(win, source, path)
        if not probes:
            return UNKNOWN, {"reason": "no probes in the window"}
        first_good = lasting_from(probes, lambda e: e.data["status"] == status)
        if first_good is None:
            return FAIL, {"last": samples(probes[-3:])}
        took = first_good.t - win.start
        return (PASS if took <= seconds else FAIL), {"seconds_to_status": round(took, 3), "limit_s": seconds,
                                                     "bound": {"figure": "seconds_to_status", "op": "<=",
                                                               "value": seconds}}
    return Check(f"{source} {path} answers {status} within {seconds:g}s and stays so", window, judge)


def probe_body(source: str, path: str, contains: str, window: str, share: float = 0.9) -> Check:
    """At least `share` of the failed probes' answers name `contains` (a readiness 503
    naming the failing check)."""
    def judge(history, win):
        probes = [e for e in history.events("probe", win, source)
                  if e.data["path"] == path and e.data.get("status") not in (None, 200)]
        if not probes:
            return UNKNOWN, {"reason": "no failed probes in the window"}
        naming = [e for e in probes if contains.lower() in str(e.data.get("body", "")).lower()]
        ratio = len(naming) / len(probes)
        return (PASS if ratio >= share else FAIL), {"failed_probes": len(probes), "naming": len(naming),
                                                    "example": str(probes[0].data.get("body", ""))[:200]}
    return Check(f"{who(source)} {path} failures name {contains!r}", window, judge)
