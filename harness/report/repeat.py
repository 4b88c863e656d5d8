"""A repeated run (`drill run --repeat N`: flake hunting): per scenario how many of its
repetitions passed and failed, and per check its worst margin over them - the pass that
sat nearest its bound, or the failure - as a text table and JSON. One definition of a
margin (checks.margins), so the table says what the verdicts were decided on."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field

from runbook_drill.harness.checks import margins
from runbook_drill.harness.run.journal import ScenarioRecord


@dataclass
class Row:
    scenario: str
    runs: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)
    worst: dict[str, str] = field(default_factory=dict)  # check -> its worst margin, described

    @property
    def deviated(self) -> bool:
        return any(self.verdicts.get(s) for s in ("failed", "unknown", "error", "aborted", "flaky"))


def _closeness(margin: margins.Margin) -> tuple:
    """Orders margins from the worst: failures first, then passes by ratio, categorical last."""
    return (margin.passed, math.inf if margin.ratio is None else margin.ratio)


def rows(records: list[ScenarioRecord]) -> list[Row]:
    """Returns one row per scenario (in the order they first ran) over its repetitions."""
    found: dict[str, Row] = {}
    worst: dict[tuple[str, str], margins.Margin] = {}
    for record in records:
        row = found.setdefault(record.scenario, Row(record.scenario))
        row.runs += 1
        row.verdicts[record.status] = row.verdicts.get(record.status, 0) + 1
        for verdict in record.verdicts:
            margin = verdict.margin()
            key = (record.scenario, verdict.check)
            if margin is not None and (key not in worst or _closeness(margin) < _closeness(worst[key])):
                worst[key] = margin
    for (scenario, check), margin in worst.items():
        said = ("fail: " if not margin.passed else "marginal: " if margin.marginal else "") + margin.describe()
        found[scenario].worst[check] = said
    return list(found.values())


def render(table: list[Row]) -> str:
    """Returns the table as text: a line per scenario, then its checks' worst margins."""
    lines = [f"{'scenario':<36} {'runs':>4} verdicts"]
    for row in table:
        said = ", ".join(f"{n} {status}" for status, n in sorted(row.verdicts.items()))
        lines.append(f"{row.scenario:<36} {row.runs:>4} {said}")
        lines += [f"    {check}: {margin}" for check, margin in row.worst.items()]
    return "\n".join(lines)


def to_json(table: list[Row]) -> str:
    return json.dumps([{**asdict(row), "deviated": row.deviated} for row in table], indent=1)
