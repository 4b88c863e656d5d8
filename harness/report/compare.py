"""Release validation: a candidate's run beside the baseline's (the last release), per
scenario - the verdicts and whether one flipped, p99 and error rate in the steady and
fault windows with their difference, detection and recovery times. The candidate is
worse when any scenario that passed on the baseline does not pass on it."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from harness.chaos.checks import percentile
from harness.report import timeline


@dataclass
class Figures:
    """What one run of one scenario measured (None: not measurable, e.g. no requests)."""

    status: str
    steady_p99_ms: float | None
    fault_p99_ms: float | None
    fault_error_rate: float | None
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
        if self.baseline is None or self.candidate is None:
            return "missing"
        was, now = self.baseline.status == "passed", self.candidate.status == "passed"
        return "worse" if was and not now else "better" if now and not was else "same"


def _window_requests(record: dict, name: str) -> list[dict]:
    window = record["history"]["windows"].get(name)
    if window is None:
        return []
    return [e for e in timeline.api_requests(record["history"]["events"])
            if window["start"] <= e["t"] and e["t"] + e["data"].get("latency", 0) < window["end"]]


def _p99_ms(requests: list[dict]) -> float | None:
    answered = [e["data"]["latency"] * 1000 for e in requests if e["data"].get("status") is not None]
    return round(percentile(answered, 0.99), 1) if answered else None


def _error_rate(requests: list[dict]) -> float | None:
    if not requests:
        return None
    failed = [e for e in requests if e["data"].get("status") is None or e["data"]["status"] >= 400]
    return round(len(failed) / len(requests), 4)


def figures(record: dict, slow_ms: float) -> Figures:
    """Returns the comparable figures of one scenario's journal."""
    fault = _window_requests(record, "fault")
    return Figures(record["status"], _p99_ms(_window_requests(record, "steady")), _p99_ms(fault), _error_rate(fault),
                   timeline.detection_s(record, slow_ms), timeline.recovery_s(record))


def compare(baseline: list[dict], candidate: list[dict], slow_ms: float) -> list[Row]:
    """Returns one row per scenario of either run, in the baseline's order."""
    before = {r["scenario"]: figures(r, slow_ms) for r in baseline}
    after = {r["scenario"]: figures(r, slow_ms) for r in candidate}
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
    out = []
    for row in rows:
        b, c = row.baseline, row.candidate
        out.append(f"{row.change.upper():<8} {row.scenario:<34} {b.status if b else '-'} -> {c.status if c else '-'}")
        if b and c:
            out.append(f"         steady p99 {_delta(b.steady_p99_ms, c.steady_p99_ms, ' ms')}; "
                       f"fault p99 {_delta(b.fault_p99_ms, c.fault_p99_ms, ' ms')}; "
                       f"fault error rate {_delta(b.fault_error_rate, c.fault_error_rate, '%', 100)}")
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
