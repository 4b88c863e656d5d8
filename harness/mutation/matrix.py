"""The kill matrix: per mutant and scenario, whether the scenario caught the mutant for
the documented reason (killed), failed for another (killed elsewhere: not counted),
passed (survived), could not decide (unknown) or could not run (error); the reference
build's verdicts on the same scenarios (any that did not pass is a false alarm: the
matrix means nothing then); and the score, killed / mutants."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from runbook_drill.harness.checks import margins
from runbook_drill.harness.mutation.catalog import Mutant
from runbook_drill.harness.run.journal import ScenarioRecord

KILLED, ELSEWHERE, SURVIVED, UNKNOWN, ERROR = "killed", "killed-elsewhere", "survived", "unknown", "error"


@dataclass
class Cell:
    """One scenario run against one mutant: its outcome and the checks that failed."""

    scenario: str
    outcome: str
    failing: list[dict] = field(default_factory=list)  # {"check", "evidence"}
    error: str = ""
    margin: dict | None = None  # a kill's deciding figure against its bound (margins.Margin.to_json)


@dataclass
class Row:
    """One mutant: what it breaks, where it was caught, how long its runs took."""

    mutant: str
    line: str
    defect: str
    reason: str
    image: str
    cells: list[Cell] = field(default_factory=list)
    seconds: float = 0.0
    way: str = ""  # how the code breaks the line ("Unclosed connections: on a query error")

    @property
    def killed(self) -> bool:
        return any(cell.outcome == KILLED for cell in self.cells)

    @property
    def margin(self) -> dict | None:
        """The widest margin among the cells that killed it (None: not killed)."""
        kills = [cell.margin for cell in self.cells if cell.outcome == KILLED and cell.margin]
        return max(kills, key=_width) if kills else None

    @property
    def weak(self) -> bool:
        return bool(self.margin and self.margin["weak"])


@dataclass
class Matrix:
    rows: list[Row]
    reference: dict[str, str]  # scenario -> status on the unmutated build
    seconds: float = 0.0

    @property
    def false_alarms(self) -> list[str]:
        return sorted(s for s, status in self.reference.items() if status != "passed")

    @property
    def score(self) -> float:
        return sum(row.killed for row in self.rows) / len(self.rows) if self.rows else 0.0

    def survivors(self) -> list[str]:
        return [row.mutant for row in self.rows if not row.killed]

    def weak(self) -> list[str]:
        """The mutants killed only with a margin under margins.WEAK_BELOW."""
        return [row.mutant for row in self.rows if row.weak]

    def sound(self) -> bool:
        """True when every mutant was killed and the reference passed every scenario."""
        return not self.false_alarms and not self.survivors() and not self.weak()

    def to_json(self) -> str:
        body = {"score": round(self.score, 4), "killed": sum(r.killed for r in self.rows), "mutants": len(self.rows),
                "false_alarms": self.false_alarms, "survivors": self.survivors(), "weak": self.weak(),
                "seconds": round(self.seconds, 1), "reference": self.reference,
                "rows": [{**asdict(row), "killed": row.killed, "margin": row.margin} for row in self.rows]}
        return json.dumps(body, indent=2)


def _width(margin: dict) -> float:
    ratio = margin["ratio"]
    return float("inf") if ratio in (None, "inf") else ratio


def cell(mutant: Mutant, record: ScenarioRecord) -> Cell:
    """Returns the outcome of one scenario's journal record against `mutant`."""
    failed = [v for v in record.verdicts if v.status == "fail"]
    if record.status == "failed":
        outcome = KILLED if mutant.caught_for_reason([v.check for v in failed]) else ELSEWHERE
    else:
        outcome = {"passed": SURVIVED, "unknown": UNKNOWN}.get(record.status, ERROR)
    margin = margins.deciding(failed, lambda check: mutant.caught_for_reason([check])) if outcome == KILLED else None
    return Cell(record.scenario, outcome, [{"check": v.check, "evidence": v.evidence} for v in failed],
                record.error.splitlines()[0][:300] if record.error else "", margin.to_json() if margin else None)


def rollout_cell(mutant: Mutant, timeout_s: float, error: str) -> Cell:
    """Returns the outcome of a rollout whose replicas never became ready: the deploy's
    readiness gate failed (as `kubectl rollout status` would), a check of its own."""
    check = f"rollout: every replica's /health/ready answers 200 within {timeout_s:g}s"
    outcome = KILLED if mutant.caught_for_reason([check]) else ELSEWHERE
    return Cell("rollout", outcome, [{"check": check, "evidence": {"error": error}}],
                margin=margins.Margin(check).to_json() if outcome == KILLED else None)
