"""Hand-built histories for the checks' tests: events recorded at chosen times, named windows."""

from runbook_drill.harness.observe.history import History


def history_with(*events, windows=(("w", 0, 100),)) -> History:
    history = History()
    for kind, source, t, data in events:
        history.record(kind, source, t=t, **data)
    for name, start, end in windows:
        history.mark(name, start, end)
    return history


def requests_(statuses, latency=0.01):
    return [("request", "load", 10 + i * 0.1, {"status": s, "latency": latency, "endpoint": "/users/{user_id}"})
            for i, s in enumerate(statuses)]


def probes(source, path, statuses, start=10):
    return [("probe", source, start + i, {"path": path, "status": s, "latency": 0.01}) for i, s in enumerate(statuses)]
