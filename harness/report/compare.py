"""Release validation: a candidate's run beside the baseline's (the last release), per
scenario - the verdicts and whether one flipped, p99 and error rate in the steady and
fault windows with their difference, detection and recovery times. The candidate is
worse when any scenario that passed on the baseline does not pass on it.

The figures are the verdicts' own, read from each journal's History with the checks'
statistics: a p99 counts a request with no answer at the time the client waited
(censored, never dropped: a candidate that times out more cannot look faster), and an
error rate is over the answered requests, the unanswered ones counted beside it."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from runbook_drill.harness.contract.preflight import CONTRACT_CASE
from runbook_drill.harness.observe.history import History
from runbook_drill.harness.observe.statistics import error_rate, request_p99_ms
from runbook_drill.harness.report import timeline
from runbook_drill.harness.run.journal import ScenarioRecord

HEADER = ("p99: censored at the client's timeout (a request with no answer counts at the time it waited); "
          "error rate: over the answered requests, the unanswered counted beside it - as the verdicts judge them")


@dataclass
class Figures:
    """What one run of one scenario measured (None: not measurable, e.g. no requests)."""

    status: str
    steady_p99_ms: float | None
    fault_p99_ms: float | None
    fault_error_rate: float | None
    fault_unanswered: int
    detection_s: float | None
    recovery_s: float | None


@dataclass
class Row:
    scenario: str
    baseline: Figures | None
    candidate: Figures | None

    @property
    def change(self) -> str:
        """worse (passed -> not passed), better (not passed -> passed), same, or missing."""
        if (self.baseline is None or self.candidate is None) and self.scenario != CONTRACT_CASE:
            return "missing"
        # The pre-flight's case exists only for an image with a runbook line unmet: absent, it passed.
        was, now = (side is None or side.status == "passed" for side in (self.baseline, self.candidate))
        return "worse" if was and not now else "better" if now and not was else "same"


def _window_requests(history: History, name: str) -> tuple[list, list]:
    """Returns the window's User API requests as (answered, unanswered); none without it."""
    window = history.windows.get(name)
    return history.requests(window) if window is not None else ([], [])


def _p99_ms(requests: tuple[list, list]) -> float | None:
    value = request_p99_ms(*requests)
    return None if value is None else round(value, 1)


def _rate(answered: list) -> float | None:
    value = error_rate(answered)
    return None if value is None else round(value, 4)


def figures(record: ScenarioRecord, slow_ms: float) -> Figures:
    """Returns the comparable figures of one scenario's journal."""
    history = timeline.history_of(record)
    fault = _window_requests(history, "fault")
    return Figures(record.status, _p99_ms(_window_requests(history, "steady")), _p99_ms(fault), _rate(fault[0]),
                   len(fault[1]), timeline.detection_s(history, slow_ms), timeline.recovery_s(history))


def compare(baseline: list[ScenarioRecord], candidate: list[ScenarioRecord], slow_ms: float) -> list[Row]:
    """Returns one row per scenario of either run, in the baseline's order."""
    before = {r.scenario: figures(r, slow_ms) for r in baseline}
    after = {r.scenario: figures(r, slow_ms) for r in candidate}
    order = list(before) + [s for s in after if s not in before]
    return [Row(s, before.get(s), after.get(s)) for s in order]


def worse(rows: list[Row]) -> bool:
    """True when the candidate lost a verdict the baseline had (or skipped a scenario)."""
    return any(row.change in ("worse", "missing") for row in rows)


def _shown(value: float | None, unit: str, scale: float) -> str:
    return "-" if value is None else f"{value * scale:g}{unit}"


def _delta(before: float | None, after: float | None, unit: str, scale: float = 1.0) -> str:
    """Returns "before -> after (+difference)"."""
    if before is None and after is None:
        return "-"
    both = f"{_shown(before, unit, scale)} -> {_shown(after, unit, scale)}"
    return both if before is None or after is None else f"{both} ({(after - before) * scale:+.4g}{unit})"


def render(rows: list[Row]) -> str:
    """Returns the comparison as text, one block per scenario, then the verdict."""
    out = [HEADER]
    for row in rows:
        b, c = row.baseline, row.candidate
        out.append(f"{row.change.upper():<8} {row.scenario:<34} {b.status if b else '-'} -> {c.status if c else '-'}")
        if b and c:
            out.append(f"         steady p99 {_delta(b.steady_p99_ms, c.steady_p99_ms, ' ms')}; "
                       f"fault p99 {_delta(b.fault_p99_ms, c.fault_p99_ms, ' ms')}; "
                       f"fault error rate {_delta(b.fault_error_rate, c.fault_error_rate, '%', 100)} "
                       f"(unanswered {b.fault_unanswered} -> {c.fault_unanswered})")
            out.append(f"         detection {_delta(b.detection_s, c.detection_s, ' s')}; "
                       f"recovery {_delta(b.recovery_s, c.recovery_s, ' s')}")
    counts = {k: sum(r.change == k for r in rows) for k in ("worse", "better", "same", "missing")}
    verdict = "WORSE than the baseline" if worse(rows) else "no verdict lost against the baseline"
    out.append(f"candidate: {verdict} ({', '.join(f'{n} {k}' for k, n in counts.items())})")
    return "\n".join(out)


def to_json(rows: list[Row]) -> str:
    return json.dumps([{"scenario": r.scenario, "change": r.change,
                        "baseline": asdict(r.baseline) if r.baseline else None,
                        "candidate": asdict(r.candidate) if r.candidate else None} for r in rows], indent=1)
