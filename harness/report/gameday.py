"""A game day's record as Markdown, ready to paste into the post-game-day notes: the
verdict, the detection and recovery times, what was done (fault, remediation, a stop
condition or the kill switch if one ended it), each check's verdict by phase, and the
observations the facilitator typed at the pauses, with their times."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from runbook_drill.harness.report import timeline
from runbook_drill.harness.report.summary import MARK, cell
from runbook_drill.harness.run.suite import deciding
from runbook_drill.harness.runbook import Runbook
from runbook_drill.harness.run.journal import ScenarioRecord


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} s"


def _facts(record: ScenarioRecord, line: timeline.Timeline) -> list[str]:
    fault = record.fault or {}
    values = ", ".join(f"{k}={v}" for k, v in fault.get("params", {}).items()) or "no parameters"
    facts = [f"- verdict: {MARK.get(record.status, '')} **{record.status}**"
             + ("" if record.status == "passed" else f" - {cell(deciding(record))[:300]}"),
             f"- detection: {_seconds(line.detection_s)}; recovery: {_seconds(line.recovery_s)}",
             f"- fault: `{fault.get('kind', '-')}` ({values}); remediation: {record.remediation or 'none'}"]
    if record.stop:
        facts.append(f"- stopped early by `{record.stop['condition']}` (healed at once)")
    return facts


def _checks(record: ScenarioRecord) -> list[str]:
    rows = ["| window | check | verdict |", "|---|---|---|"]
    for verdict in record.verdicts:
        window = verdict.evidence.get("window", "")
        rows.append(f"| {cell(window)} | {cell(verdict.check)} | {verdict.status} |")
    return rows


def _observations(line: timeline.Timeline) -> list[str]:
    if not line.notes:
        return ["(none typed)"]
    return [f"- +{t:.1f} s, before {before}: {cell(text)}" for t, before, text in line.notes]


def render(record: ScenarioRecord, runbook: Runbook, report: Path) -> str:
    """Returns the game day's summary of one scenario's journal record."""
    line = timeline.build(record, runbook.value("threshold.p99_ms"))
    when = datetime.fromtimestamp(record.start, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = [f"# Game day: {record.scenario} - {record.title}", "",
           f"{when}; runbook section '{record.runbook}'", "", *_facts(record, line), "",
           "## Observations", "", *_observations(line), "", "## Checks", "", *_checks(record), "",
           f"Report: {report}", ""]
    return "\n".join(out)


def write(record: ScenarioRecord, runbook: Runbook, report: Path) -> Path:
    """Writes the summary beside the report (gameday.md); returns its path."""
    path = report.parent / "gameday.md"
    path.write_text(render(record, runbook, report))
    return path
