"""The per-request record every Locust process writes: one JSON line per request
(start, method, endpoint template, status - None when no answer came - latency,
error), into DRILL_RECORDS.<pid>.jsonl. Shared by every locustfile of the project.

The file is block-buffered (a line-buffered write per request costs a third of the
throughput) and flushed at most every FLUSH_S, so the harness can follow the records
while the load runs (a window ends once it holds enough requests) at a small cost."""

import json
import os
import time

from locust import events

from runbook_drill.load.pages import page_size

# harness.observe.history.REPLICA_HEADER, spelled out: a Locust process imports nothing of
# the harness (a locustfile's own folder may hold a module named like it: bench/harness.py).
REPLICA_HEADER = "X-Drill-Replica"

FLUSH_S = 0.1


def _replica(response, status) -> str | None:
    """Returns which replica answered (the load balancer's header), "" for an answer the
    load balancer gave itself, None when nothing answered."""
    if status is None:
        return None
    headers = getattr(response, "headers", None) or {}
    return headers.get(REPLICA_HEADER) or ""


def install_recorder() -> None:
    """Registers the recorder on Locust's request event (a no-op without DRILL_RECORDS)."""
    prefix = os.environ.get("DRILL_RECORDS")
    if not prefix:
        return
    out = None  # opened at the first request, so a master (which sends none) writes no file
    flushed = 0.0

    def record(request_type, name, response_time, response, exception, start_time=None, context=None, **_):
        nonlocal out, flushed
        if out is None:
            out = open(f"{prefix}.{os.getpid()}.jsonl", "a", buffering=256 * 1024)
            events.quitting.add_listener(lambda **_: out.flush())
        status = getattr(response, "status_code", 0) or None
        row = {"t": start_time, "method": request_type, "endpoint": name, "status": status,
               "latency": response_time / 1000, "replica": _replica(response, status),
               "error": type(exception).__name__ if exception and status is None else ""}
        if (context or {}).get("first_page"):
            row.update(first_page=True, items=page_size(response) if status == 200 else None)
        out.write(json.dumps(row) + "\n")
        if time.monotonic() - flushed >= FLUSH_S:
            out.flush()
            flushed = time.monotonic()

    events.request.add_listener(record)
