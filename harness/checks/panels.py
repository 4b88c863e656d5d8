"""Dashboard checks: what a panel's own query showed during the run (recorded as "query"
events, one per second - harness.observe.observers.queries), against the threshold line
the panel draws: the pattern over it under the fault, under it at steady state."""

from __future__ import annotations

from runbook_drill.harness.checks.base import FAIL, PASS, UNKNOWN, Check

LEAST_POLLS = 3  # fewer evaluations of the panel: it was not watched long enough to say


def panel_shows(name: str, window: str, above: float | None = None, below: float | None = None,
                source: str = "prometheus", within_s: float = 8.0, lookback_s: float = 0.0) -> Check:
    """The panel `name` (its query, recorded) shows its top line over `above` at some
    evaluation in the window, or under `below` at every one whose `lookback_s` (the
    query's rate window) lies inside the window - an evaluation reaching back before it
    shows the last scenario too. A query that gave no series shows nothing: never over a
    line (a panel on a metric the service does not export fails), and under one (no
    errors yet is no error series). Unknown with fewer than LEAST_POLLS evaluations,
    and - for `above` - while the window is younger than `within_s` and the line not
    crossed yet (its rate window still filling)."""
    def judge(history, win):
        values = [e.data["value"] for e in history.events("query", win, source) if e.data["name"] == name
                  and (above is not None or e.t - lookback_s >= win.start)]
        evidence = {"evaluations": len(values), "empty": sum(v is None for v in values)}
        if len(values) < LEAST_POLLS:
            return UNKNOWN, {**evidence, "reason": f"the panel's query was evaluated {len(values)} time(s)"}
        shown = [v for v in values if v is not None]
        if above is not None:
            top = max(shown, default=0.0)
            if shown and top <= above and win.end - win.start < within_s:
                return UNKNOWN, {**evidence, "top": round(top, 5), "reason": "not over the line yet"}
            return (PASS if top > above else FAIL), {**evidence, "top": round(top, 5),
                                                      "bound": {"figure": "top", "op": ">", "value": above}}
        top = max(shown, default=0.0)
        return (PASS if top < below else FAIL), {**evidence, "top": round(top, 5),
                                                  "bound": {"figure": "top", "op": "<", "value": below}}
    line = f"over {above:g}" if above is not None else f"under {below:g}"
    return Check(f"dashboard panel '{name}' shows {line}", window, judge, sampled=True)


def panels_found(titles: list[str], window: str) -> Check:
    """The dashboard has a panel to look at: an error-pattern panel (a title naming
    errors, a Prometheus query, a threshold line). A dashboard with none fails - the
    on-call is sent to a dashboard that cannot show the pattern."""
    def judge(history, win):
        return (PASS if titles else FAIL), {"panels": titles}
    return Check("the dashboard has an error-pattern panel", window, judge)
