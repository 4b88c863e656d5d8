"""Per-window summaries computed exactly from the per-request records (not from
Locust's rounded buckets): requests, RPS, error rate by status, p50/p95/p99."""

from __future__ import annotations

from typing import Any, Iterable

from runbook_drill.harness.observe.statistics import percentile


def summarize(records: Iterable[dict[str, Any]], start: float, end: float,
              endpoint_prefix: str = "/users") -> dict[str, Any]:
    """Returns the summary of the records that started and finished in [start, end).

    Requests with no answer are "unknown": counted apart, never as ok. With no answered
    request the rates and percentiles are None (unknown), not zero.
    """
    chosen = [r for r in records if r["endpoint"].startswith(endpoint_prefix)
              and start <= r["t"] and r["t"] + r["latency"] < end]
    answered = [r for r in chosen if r["status"] is not None]
    errors: dict[str, int] = {}
    for r in answered:
        if r["status"] >= 400:
            errors[str(r["status"])] = errors.get(str(r["status"]), 0) + 1
    latencies = [r["latency"] * 1000 for r in answered]
    seconds = end - start
    return {
        "requests": len(chosen), "answered": len(answered), "unknown": len(chosen) - len(answered),
        "rps": round(len(chosen) / seconds, 2) if seconds > 0 else None,
        "error_rate": round(sum(errors.values()) / len(answered), 4) if answered else None,
        "errors_by_status": errors,
        **{f"p{q}_ms": round(percentile(latencies, q / 100), 2) if latencies else None for q in (50, 95, 99)},
    }
