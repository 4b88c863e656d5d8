"""The kill matrix as a page of the report (self-contained HTML): the score, the
reference build's verdicts, and per mutant the runbook line it violates, the defect,
and per scenario whether it caught it - with the failing checks and their evidence,
each scenario linked to its journal."""

from __future__ import annotations

import html
import json
from pathlib import Path

from runbook_drill.harness.checks.margins import WEAK_BELOW, Margin
from runbook_drill.harness.mutation.matrix import ELSEWHERE, ERROR, KILLED, SURVIVED, UNKNOWN, Cell, Matrix, Row
from runbook_drill.harness.report.html import STYLE, VERDICT_CLASS

OUTCOME_CLASS = {KILLED: "ok", SURVIVED: "bad", ELSEWHERE: "unk", UNKNOWN: "unk", ERROR: "err"}


def _esc(value) -> str:
    return html.escape(str(value))


def _cell(row: Row, cell: Cell) -> str:
    failing = "".join(f"<li>{_esc(f['check'])}<pre>{_esc(json.dumps(f['evidence'], default=str)[:600])}</pre></li>"
                      for f in cell.failing)
    journal = f"{row.mutant}/journal/{cell.scenario}.json"
    return (f'<td><a href="{_esc(journal)}">{_esc(cell.scenario)}</a>: '
            f'<span class="{OUTCOME_CLASS[cell.outcome]}">{_esc(cell.outcome)}</span>'
            f'{"<ul>" + failing + "</ul>" if failing else ""}{_esc(cell.error)}</td>')


def _margin(row: Row) -> str:
    if not row.margin:
        return ""
    margin = Margin.from_json(row.margin)
    klass = "" if margin.ratio is None else "bad" if margin.weak else "ok"
    return f'<span class="{klass}">{_esc(margin.describe())}</span><br><small>{_esc(margin.check)}</small>'


def _row(row: Row) -> str:
    verdict = ('<span class="bad">survived</span>' if not row.killed else '<span class="unk">weak</span>'
               if row.weak else '<span class="ok">killed</span>')
    cells = "".join(_cell(row, cell) for cell in row.cells)
    return (f"<tr><td>{_esc(row.mutant)}</td><td>{verdict}</td><td>{_esc(row.line)}</td>"
            f"<td>{_esc(row.defect)}<br><small>reason: <code>{_esc(row.reason)}</code></small></td>"
            f'<td>{_margin(row)}</td><td class="num">{row.seconds:.0f} s</td>{cells}</tr>')


def _causes(matrix: Matrix) -> str:
    """Returns the table of runbook lines with the ways code breaks each and their mutants."""
    by_line: dict[str, list[Row]] = {}
    for row in matrix.rows:
        by_line.setdefault(row.line, []).append(row)
    out = []
    for line, rows in sorted(by_line.items(), key=lambda item: int(item[0][1:].split(":", 1)[0])):
        ways = "".join(f"<li>{_esc(r.way)}: <b>{_esc(r.mutant)}</b> "
                       f"{'survived' if not r.killed else 'weak' if r.weak else 'killed'}</li>" for r in rows)
        out.append(f"<tr><td>{_esc(line)}</td><td><ul>{ways}</ul></td></tr>")
    return ("<h2>Runbook causes, the ways code breaks them, and their mutants</h2>"
            f"<table><tr><th>runbook line</th><th>ways (mutant, verdict)</th></tr>{''.join(out)}</table>")


def render(matrix: Matrix, title: str) -> str:
    """Returns the matrix page."""
    reference = "".join(f'<tr><td><a href="reference/journal/{_esc(s)}.json">{_esc(s)}</a></td>'
                        f'<td class="{VERDICT_CLASS.get(status, "unk")}">{_esc(status)}</td></tr>'
                        for s, status in matrix.reference.items())
    alarms = ", ".join(matrix.false_alarms) or "none"
    weak = ", ".join(matrix.weak()) or "none"
    killed = sum(row.killed for row in matrix.rows)
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{_esc(title)}</title>'
            f"<style>{STYLE}</style></head><body><h1>{_esc(title)}</h1>"
            f"<p>Score <b>{matrix.score:.0%}</b>: {killed} of {len(matrix.rows)} mutants killed for their documented "
            f"reason. False alarms on the reference build: {_esc(alarms)}. Weak kills (margin under "
            f"{WEAK_BELOW:g}x: the deciding figure too near its threshold): {_esc(weak)}. "
            f"Wall time {matrix.seconds:.0f} s.</p>"
            f"<h2>Mutants</h2><table><tr><th>mutant</th><th>verdict</th><th>runbook line</th><th>defect</th>"
            f"<th>margin</th><th>time</th><th>scenarios</th></tr>{''.join(_row(r) for r in matrix.rows)}</table>"
            f"{_causes(matrix)}<h2>Reference build</h2><table><tr><th>scenario</th><th>verdict</th></tr>{reference}</table>"
            "</body></html>\n")


def write(matrix: Matrix, out: Path, title: str) -> tuple[Path, Path]:
    """Writes matrix.html and matrix.json under `out`; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    page, data = out / "matrix.html", out / "matrix.json"
    page.write_text(render(matrix, title))
    data.write_text(matrix.to_json() + "\n")
    return page, data
