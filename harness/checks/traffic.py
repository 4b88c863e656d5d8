"""Traffic checks: what the load's requests met - the error rate (of chosen statuses)
and latency percentiles, judged with the shared statistics (harness/observe/statistics.py):
a request with no answer is unknown, never ok, and for latency is censored at its
recorded time."""

from __future__ import annotations

import math

from runbook_drill.harness.checks.base import FAIL, MIN_SAMPLES, PASS, UNKNOWN, Check
from runbook_drill.harness.observe.history import answered_by_lb
from runbook_drill.harness.observe.statistics import censored_percentile, failed, latency_ms, wilson_low


def _traffic(endpoint: str | None, method: str | None) -> str:
    return f" of {method or ''} {endpoint}".replace("  ", " ") if endpoint or method else ""


def error_rate(window: str, above: float | None = None, below: float | None = None, statuses=None,
               endpoint: str | None = None, method: str | None = None, min_samples: int = MIN_SAMPLES) -> Check:
    """The share of answered requests that failed (status >= 400, or only `statuses`)
    is above/below a threshold. Requests with no answer (timeouts) are "unknown":
    counted apart and reported beside the rate, never as ok.

    "Below" needs `min_samples` answered requests. "Above" - a symptom claimed - needs
    the 95% confidence interval's lower bound over the threshold (and at least 20
    requests): 60% errors over 78 requests decides, 2% over 50 does not."""
    wanted = set(statuses or ())
    needed = min(min_samples, 20) if above is not None else min_samples

    def judge(history, win):
        answered, unknown = history.requests(win, endpoint, method)
        if len(answered) < needed:
            return UNKNOWN, {"reason": f"{len(answered)} answered requests (< {needed})",
                             "answered": len(answered), "unknown": len(unknown)}
        errors = [e for e in answered if failed(e, wanted)]
        rate = len(errors) / len(answered)
        if above is not None and rate > above and wilson_low(len(errors), len(answered)) <= above \
                and len(answered) < min_samples:
            return UNKNOWN, {"reason": f"{rate:.1%} over {len(answered)} requests is not certainly > {above:.1%}",
                             "error_rate": round(rate, 4), "answered": len(answered), "unknown": len(unknown)}
        by_status: dict[str, int] = {}
        for e in answered:
            if e.data["status"] >= 400:
                by_status[str(e.data["status"])] = by_status.get(str(e.data["status"]), 0) + 1
        ok = (above is None or rate > above) and (below is None or rate < below)
        return (PASS if ok else FAIL), {"error_rate": round(rate, 4), "answered": len(answered),
                                        "unknown": len(unknown), "errors_by_status": by_status,
                                        "bound": {**bound_of, "of": len(answered)}}
    bound_of = {"figure": "error_rate", "op": ">" if above is not None else "<",
                "value": above if above is not None else below}
    bound = f"> {above:.1%}" if above is not None else f"< {below:.1%}"
    what = "/".join(str(s) for s in sorted(wanted)) + " rate" if wanted else "error rate"
    late = " still at the fault's end" if window == "fault_late" else ""
    claim = {"kind": "error_rate", "above": above, "below": below, "statuses": sorted(wanted),
             "endpoint": endpoint, "method": method}
    return Check(f"{what}{_traffic(endpoint, method)} {bound}{late}", window, judge, sampled=True, claim=claim)


def latency(window: str, q: float = 0.99, above_ms: float | None = None, below_ms: float | None = None,
            endpoint: str | None = None, method: str | None = None, min_samples: int = MIN_SAMPLES) -> Check:
    """The q-quantile of request latency is above/below a bound (ms). A request with no
    answer within the client's timeout took at least that long: it counts as censored at
    its recorded time, never dropped. The verdict is decided only when the bounds make it
    certain (p99 > 500 ms is certain once over 1% were cut off at 2 s); otherwise unknown."""
    def judge(history, win):
        answered, unknown = history.requests(win, endpoint, method)
        if len(answered) + len(unknown) < min_samples:
            return UNKNOWN, {"reason": f"{len(answered) + len(unknown)} requests (< {min_samples})",
                             "answered": len(answered), "censored": len(unknown)}
        low, high = censored_percentile(latency_ms(answered), latency_ms(unknown), q)
        bound = above_ms if above_ms is not None else below_ms
        if above_ms is not None:
            status = PASS if low > bound else FAIL if high <= bound else UNKNOWN
        else:
            status = PASS if high < bound else FAIL if low >= bound else UNKNOWN
        name = f"p{q * 100:g}_ms"
        evidence = {name: round(low, 2), "answered": len(answered), "censored": len(unknown),
                    "bound": {"figure": name, "op": ">" if above_ms is not None else "<", "value": bound}}
        if high != low:
            evidence[f"{name}_at_most"] = "unbounded" if math.isinf(high) else round(high, 2)
        return status, evidence
    bound = f"> {above_ms:g} ms" if above_ms is not None else f"< {below_ms:g} ms"
    claim = {"kind": "latency", "q": q, "above_ms": above_ms, "below_ms": below_ms, "endpoint": endpoint,
             "method": method}
    return Check(f"p{q * 100:g} latency{_traffic(endpoint, method)} {bound}", window, judge, sampled=True,
                 claim=claim)


def _refused(event, also: set[int]) -> bool:
    """An answer that was not service: the load balancer's own (no server available; a
    503 recorded without who answered counts as one) or a status of `also`."""
    status = event.data["status"]
    return answered_by_lb(event) or (status == 503 and event.data.get("replica") is None) or status in also


def served(window: str, most: float, also=frozenset(), min_samples: int = MIN_SAMPLES) -> Check:
    """The replicas stay in the load balancer and answer: the answers the load balancer
    gave itself (an empty pool's 503s), with any status of `also`, stay under `most` of
    the answered requests (`min_samples` of them at least)."""
    def judge(history, win):
        answered, unknown = history.requests(win)
        if len(answered) < min_samples:
            return UNKNOWN, {"reason": f"{len(answered)} answered requests (< {min_samples})"}
        refused = [e for e in answered if _refused(e, set(also))]
        share = len(refused) / len(answered)
        return (PASS if share < most else FAIL), {
            "refused_share": round(share, 4), "answered": len(answered), "unknown": len(unknown),
            "by_load_balancer": sum(answered_by_lb(e) for e in refused),
            "bound": {"figure": "refused_share", "op": "<", "value": most, "of": len(answered)}}
    what = "the load balancer's own answers" + (f" and {'/'.join(map(str, sorted(also)))}s" if also else "")
    return Check(f"the replicas stay in the load balancer: {what} < {most:.0%}", window, judge, sampled=True)


def replicas_answered(window: str, least: int = 20) -> Check:
    """At least `least` requests of the window were answered by a replica (not by the
    load balancer itself): the window saw the service's own answers before readiness
    emptied the pool. Unknown when who answered was not recorded."""
    def judge(history, win):
        answered, _ = history.requests(win)
        if not any(e.data.get("replica") is not None for e in answered):
            return UNKNOWN, {"reason": "who answered was not recorded", "answered": len(answered)}
        by_replicas = sum(bool(e.data.get("replica")) for e in answered)
        return (PASS if by_replicas >= least else FAIL), {
            "answered_by_replicas": by_replicas, "answered": len(answered),
            "bound": {"figure": "answered_by_replicas", "op": ">=", "value": least}}
    return Check(f"the replicas answered at least {least} requests before the load balancer emptied", window, judge,
                 sampled=True)


def pages_hold_users(window: str) -> Check:
    """No first list page was answered 200 and empty: the suite made users, so an empty
    first page contradicts the data - a failure the service hid from its users (a
    database error answered as "no users"). Only the pages the load recorded as first
    pages count (a page after a user near the end may be empty); with none answered
    200 there is nothing to contradict."""
    def judge(history, win):
        answered, _ = history.requests(win, "/users", "GET")
        first = [e for e in answered if e.data.get("first_page") and e.data["status"] == 200]
        empty = [e for e in first if e.data.get("items") == 0]
        return (FAIL if empty else PASS), {"first_pages_200": len(first), "empty": len(empty),
                                           "bound": {"figure": "empty", "op": "==", "value": 0},
                                           "sample": [round(e.t, 3) for e in empty[:3]]}
    return Check("no first page of users answered 200 and empty (the suite's users exist)", window, judge)


# The requests no replica can serve without the database (a read may come from the cache).
NEEDS_DATABASE = (("GET", "/users"), ("POST", "/users"), ("PATCH", "/users/{user_id}"))


def database_requests_fail(window: str, status: int, above: float = 0.75, least: int = 20) -> Check:
    """What each user got, per request: of the requests that need the database (list
    pages, creates, updates) a replica answered in the window - the load balancer's own
    answers left out - the share answered `status` is over `above` (its 95% lower bound,
    with at least `least` answered; else unknown), each class's statuses in the evidence.
    A service that hides the failure on one endpoint (an empty page, a 200) fails it,
    whatever the other endpoints' errors do to the aggregate."""
    def judge(history, win):
        answered, _ = history.requests(win)
        mine = [e for e in answered if (e.data.get("method", "GET"), e.data.get("endpoint")) in NEEDS_DATABASE
                and e.data.get("replica")]
        if len(mine) < least:
            return UNKNOWN, {"reason": f"{len(mine)} database requests answered by a replica (< {least})"}
        right = sum(e.data["status"] == status for e in mine)
        share, low = right / len(mine), wilson_low(right, len(mine))
        by_class: dict[str, dict[str, int]] = {}
        for e in mine:
            counts = by_class.setdefault(f"{e.data.get('method', 'GET')} {e.data['endpoint']}", {})
            counts[str(e.data["status"])] = counts.get(str(e.data["status"]), 0) + 1
        evidence = {"share": round(share, 4), "answered": len(mine), "by_class": by_class,
                    "bound": {"figure": "share", "op": ">", "value": above, "of": len(mine)}}
        if share > above >= low:
            return UNKNOWN, {**evidence, "reason": f"{share:.0%} of {len(mine)} is not certainly > {above:.0%}"}
        return (PASS if share > above else FAIL), evidence
    return Check(f"requests needing the database answered {status} by the replicas (> {above:.0%})", window, judge,
                 sampled=True)
