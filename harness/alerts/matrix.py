"""The alert matrix: after a run, scenarios x alerts - what fired, what paged, how soon -
against what the runbook expects of each alert:

- **must**: the scenario is of the alert's own Quick Response section (High Latency's
  scenarios must page HighLatency);
- **may**: the alert's section lists the scenario's cause among its "Common causes" -
  the scenario breaks what a scenario proving that cause line breaks (the same fault
  kind on the same dependency: `causes`, from the suite's scenarios);
- **no**: anything else. An alert that fires there is an **unexplained page**: the
  on-call is paged into a section that does not name what they face.

Read from the journals (the "alerts" polls and the pager's pages, from the injection to
the scenario's end, alerts already firing before it left out); the runbook gives the
sections and their causes. Precision and recall per alert: of its firings, how many were
expected (must or may); of its musts, how many fired."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

from runbook_drill.harness.alerts.detection import paging_times
from runbook_drill.harness.observe.history import History
from runbook_drill.harness.runbook import Runbook
from runbook_drill.harness.runbook.document import normalized

MUST, MAY, NO = "must", "may", "no"


@dataclass(frozen=True)
class Expectation:
    """What the runbook says of one alert: its section and the lines of its Common causes."""

    alert: str
    section: str
    cause_lines: tuple[int, ...]


def expectations(runbook: Runbook) -> list[Expectation]:
    """Returns every alert of the runbook's Quick Response sections with its causes' lines."""
    from runbook_drill.harness.alerts.rules import PROFILES, alerts

    return [Expectation(a.name, a.section, tuple(cause_lines(runbook, a.section)))
            for a in alerts(runbook, PROFILES["test"])]


def cause_lines(runbook: Runbook, section: str) -> list[int]:
    """Returns the lines of the items listed under "Common causes" in `section` (deeper
    than that item, up to the next item as shallow as it)."""
    found, depth = [], None
    for block in (b for b in runbook.blocks if b.kind == "item" and b.section == section):
        indent = len(runbook.lines[block.line - 1]) - len(runbook.lines[block.line - 1].lstrip())
        if depth is not None and indent > depth:
            found.append(block.line)
        elif re.match(r"common causes\b", block.text, re.IGNORECASE):
            depth = indent
        else:
            depth = None
    return found


def fault_identity(fault: dict) -> str:
    """Returns what a fault breaks, as the matrix compares it: its kind, and the
    dependency it acts on when it has one (dependency_refused:postgres)."""
    dependency = (fault.get("params") or {}).get("dependency")
    return f"{fault.get('kind', '')}:{dependency}" if dependency else str(fault.get("kind", ""))


def causes(expected: list[Expectation], scenarios: Iterable) -> dict[str, set[str]]:
    """Returns alert -> the fault identities of the scenarios proving one of its cause
    lines (a scenario's `proves` anchors are "L<n>: ..."): the faults the runbook
    lists as this alert's causes, as the suite injects them."""
    found: dict[str, set[str]] = {e.alert: set() for e in expected}
    for scenario in scenarios:
        lines = {int(m.group(1)) for m in (re.match(r"L(\d+):", a) for a in scenario.proves) if m}
        identity = fault_identity(scenario.fault().describe())
        if identity == "none":  # no fault: what it shows comes from its load, not a cause it breaks
            continue
        for e in expected:
            if lines & set(e.cause_lines):
                found[e.alert].add(identity)
    return found


@dataclass(frozen=True)
class Cell:
    """One scenario x alert: what happened, what the runbook expects, how soon it fired."""

    scenario: str
    alert: str
    state: str  # "paged", "fired" or "quiet"
    expected: str  # MUST, MAY or NO
    firing_s: float | None = None  # from the injection
    # When it began firing: "fault" (the fault's windows) or "remediation" (after them: the
    # runbook's own resolution step set it off - a restart of every pod at once, say).
    phase: str = ""

    @property
    def unexplained(self) -> bool:
        return self.state != "quiet" and self.expected == NO

    @property
    def missed(self) -> bool:
        return self.state == "quiet" and self.expected == MUST


@dataclass
class Matrix:
    """Every cell of a run, by scenario then alert, and the figures per alert."""

    alerts: list[str]
    cells: list[Cell] = field(default_factory=list)

    def unexplained(self) -> list[Cell]:
        return [c for c in self.cells if c.unexplained]

    def scores(self) -> dict[str, dict[str, float | None]]:
        """Returns alert -> precision (fired when expected / fired) and recall (fired
        when it must / must); None where nothing counts."""
        scores = {}
        for alert in self.alerts:
            mine = [c for c in self.cells if c.alert == alert]
            fired, must = [c for c in mine if c.state != "quiet"], [c for c in mine if c.expected == MUST]
            scores[alert] = {"precision": _share([c for c in fired if c.expected != NO], fired),
                             "recall": _share([c for c in must if c.state != "quiet"], must)}
        return scores

    def to_json(self) -> dict:
        return {"alerts": self.alerts, "scores": self.scores(),
                "cells": [c.__dict__ for c in self.cells], "unexplained": [c.__dict__ for c in self.unexplained()]}


def _share(part: list, whole: list) -> float | None:
    return round(len(part) / len(whole), 3) if whole else None


def build(records: list, expected: list[Expectation], explained: dict[str, set[str]]) -> Matrix:
    """Returns the matrix of a run's records (ScenarioRecord), the runbook's expectations
    and the causes' faults (`causes`). Scenarios with no fault (none recorded) are left out."""
    matrix = Matrix([e.alert for e in expected])
    for record in (r for r in records if r.fault.get("kind")):
        history = History.from_json(record.history)
        seen, fault = paging_times(history, record.end), history.windows.get("injected") or history.windows.get("fault")
        for e in expected:
            got = seen.get(e.alert, {})
            phase = "" if not got else "fault" if fault is None or got["firing_s"] <= fault.end - fault.start \
                else "remediation"
            state = "paged" if "paged_s" in got else "fired" if got else "quiet"
            wanted = MUST if normalized(e.section).startswith(normalized(record.runbook or "-")) else \
                MAY if fault_identity(record.fault) in explained.get(e.alert, set()) else NO
            matrix.cells.append(Cell(record.scenario, e.alert, state, wanted, got.get("firing_s"), phase))
    return matrix
