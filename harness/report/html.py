"""The run's report: one self-contained HTML page (plotly.js inlined, nothing fetched,
so it opens on an air-gapped laptop) rendered from the journals - a summary table,
per scenario a timeline plot (p99 latency, error rate, ready replicas, the key metric)
with the fault, remediation and recovered windows shaded and the runbook's thresholds
drawn, every check with its evidence, the runbook text of the section; and the runbook
coverage of the run."""

from __future__ import annotations

import html
import json
from pathlib import Path
from types import SimpleNamespace

from runbook_drill.harness.alerts import detection
from runbook_drill.harness.checks import margins
from runbook_drill.harness.errors import ConfigError
from runbook_drill.harness.report import coverage, timeline
from runbook_drill.harness.checks.base import Verdict
from runbook_drill.harness.run import journal
from runbook_drill.harness.run.journal import ScenarioRecord
from runbook_drill.harness.run.suite import counts as verdict_counts
from runbook_drill.harness.runbook import Runbook

SHADE_COLOURS = {"fault": "#d62728", "remediation": "#1f77b4", "recovered": "#2ca02c"}
VERDICT_CLASS = {"passed": "ok", "pass": "ok", "flaky": "flk", "failed": "bad", "fail": "bad", "unknown": "unk",
                 "aborted": "err", "error": "err"}
STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;max-width:1200px;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1rem}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;
vertical-align:top}th{background:#f4f4f4}.ok{color:#127a12;font-weight:600}.bad{color:#b00;font-weight:600}
.unk{color:#a60;font-weight:600}.flk{color:#c05a00;font-weight:600;font-style:italic}.err{color:#70a;font-weight:600}
pre{white-space:pre-wrap;margin:0;font-size:.8rem}
section.scenario{border-top:2px solid #ddd;margin-top:2rem}.plot{width:100%;height:640px}
td.num{text-align:right;font-variant-numeric:tabular-nums}
"""


def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def _figure(line: timeline.Timeline, p99_ms: float, error_rate: float):
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=4, cols=1, shared_xaxes=True, vertical_spacing=0.06,
                        subplot_titles=("p99 latency (ms, 1 s buckets)", "error rate (%)", "ready replicas",
                                        f"{line.metric} (per replica)"))
    fig.add_scatter(x=line.t, y=line.p99_ms, name="p99 ms", mode="lines+markers", row=1, col=1)
    fig.add_scatter(x=line.t, y=line.error_pct, name="error %", mode="lines+markers", row=2, col=1)
    fig.add_scatter(x=line.t, y=line.ready_replicas, name="ready", mode="lines", line_shape="hv", row=3, col=1)
    for source, (times, values) in line.metric_series.items():
        fig.add_scatter(x=times, y=values, name=source, mode="lines", row=4, col=1)
    fig.add_hline(y=p99_ms, line_dash="dash", line_color="#b00", row=1, col=1,
                  annotation_text=f"runbook p99 {p99_ms:g} ms")
    fig.add_hline(y=error_rate * 100, line_dash="dash", line_color="#b00", row=2, col=1,
                  annotation_text=f"runbook error rate {error_rate:.0%}")
    for label, start, end in line.shades:
        fig.add_vrect(x0=start, x1=end, fillcolor=SHADE_COLOURS.get(label, "#999"), opacity=0.12, line_width=0,
                      layer="below", row="all", col=1)
        fig.add_annotation(x=start, y=1.0, yref="paper", text=label, showarrow=False, xanchor="left",
                           font={"size": 10, "color": SHADE_COLOURS.get(label, "#999")})
    for t, _, text in line.notes:  # a game day's observations, where they were typed
        fig.add_vline(x=t, line_dash="dot", line_color="#555")
        fig.add_annotation(x=t, y=0.0, yref="paper", text=html.escape(text[:40]), showarrow=False, textangle=-90,
                           xanchor="right", yanchor="bottom", font={"size": 9, "color": "#555"})
    fig.update_layout(height=640, margin={"l": 60, "r": 20, "t": 40, "b": 40}, showlegend=True,
                      legend={"orientation": "h", "y": -0.08})
    fig.update_xaxes(title_text="seconds since the scenario started", row=4, col=1)
    return fig


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def _verdict(status: str) -> str:
    return f'<span class="{VERDICT_CLASS.get(status, "unk")}">{html.escape(status)}</span>'


def _summary(records: list[ScenarioRecord], lines: dict[str, timeline.Timeline]) -> str:
    rows = "".join(
        f'<tr><td><a href="#{html.escape(r.scenario)}">{html.escape(r.scenario)}</a></td>'
        f'<td>{html.escape(r.runbook)}</td><td>{_verdict(r.status)}</td>'
        f'<td class="num">{r.end - r.start:.1f} s</td>'
        f'<td class="num">{_seconds(lines[r.scenario].detection_s)}</td>'
        f'<td class="num">{_seconds(lines[r.scenario].recovery_s)}</td>'
        f'<td>{html.escape(detection.describe(r.paging or {}))}</td></tr>' for r in records)
    return ('<table class="summary"><tr><th>scenario</th><th>runbook section</th><th>verdict</th><th>duration</th>'
            f'<th>detection</th><th>recovery</th><th>alerts: firing, paged (after injection)</th></tr>{rows}'
            '</table>')


def _margin(verdict: Verdict) -> str:
    """A verdict's margin as its cell says it: the figure against its bound, marked when
    a pass sat near it (or a kill barely past it)."""
    found = verdict.margin()
    if found is None:
        return ""
    near = ' <b class="fail">marginal</b>' if found.marginal else ' <b class="fail">weak</b>' if found.weak else ""
    return f"{html.escape(found.describe())}{near}"


def _checks(record: ScenarioRecord) -> str:
    rows = "".join(f'<tr><td>{_verdict(v.status)}</td><td>{html.escape(v.check)}</td><td>{_margin(v)}</td>'
                   f'<td><pre>{html.escape(json.dumps(v.evidence, indent=1, default=str)[:3000])}</pre></td></tr>'
                   for v in record.verdicts)
    return f"<table><tr><th>verdict</th><th>check</th><th>margin</th><th>evidence</th></tr>{rows}</table>"


def _marginal(records: list[ScenarioRecord]) -> str:
    """The passes that sat near their bounds, every scenario's, in one list (the next
    flake, seen before it happens); says so when there are none."""
    items = "".join(f'<li><a href="#{html.escape(r.scenario)}">{html.escape(r.scenario)}</a>: '
                    f'{html.escape(m.check)}: {html.escape(m.describe())}</li>'
                    for r in records for m in margins.marginal(r.verdicts))
    said = (f"<ul>{items}</ul>" if items else "<p>None: every pass with a figure sat at least "
            f"{margins.MARGINAL_BELOW:g}x inside its bound, and no share was a handful of requests from it.</p>")
    return f'<h2 id="marginal">Marginal passes</h2>{said}'



def _attempts(record: ScenarioRecord) -> str:
    """Returns a rerun scenario's earlier attempts: verdict, deciding evidence, journal."""
    rows = "".join(f'<tr><td class="num">{a["attempt"]}</td><td>{_verdict(a["status"])}</td>'
                   f'<td>{html.escape(a["deciding"])}</td><td><code>journal/{html.escape(a["journal"])}</code></td></tr>'
                   for a in record.attempts or [])
    return (f'<p>Run again after it did not pass (--rerun-failed); earlier attempts:</p><table><tr><th>attempt</th>'
            f'<th>verdict</th><th>deciding check</th><th>journal</th></tr>{rows}</table>') if rows else ""


def _scenario(record: ScenarioRecord, line: timeline.Timeline, runbook: Runbook, p99_ms: float, error_rate: float) -> str:
    sid = html.escape(record.scenario)
    plot = _figure(line, p99_ms, error_rate).to_html(full_html=False, include_plotlyjs=False, div_id=f"plot-{sid}",
                                                    config={"displaylogo": False, "responsive": True})
    proves = "".join(f"<li>{html.escape(p)}</li>" for p in record.proves or [])
    fault = html.escape(json.dumps(record.fault or {}, default=str)[:2000])
    said = "harness error" if record.status == "error" else record.status
    error = f'<p class="err">{said}: <pre>{html.escape(record.error)}</pre></p>' if record.error else ""
    remediation = html.escape(record.remediation or "none")
    return (f'<section class="scenario" id="{sid}"><h3>{sid}: {html.escape(record.title)}</h3>'
            f'<p>{_verdict(record.status)} - runbook section <b>{html.escape(record.runbook)}</b>; '
            f'detection {_seconds(line.detection_s)}, recovery {_seconds(line.recovery_s)}; '
            f'remediation: {remediation}</p>{error}{_attempts(record)}<p>Proves:</p><ul>{proves}</ul>'
            f'<div class="plot">{plot}</div>{_notes(line)}<p>Fault: <code>{fault}</code></p>{_checks(record)}'
            f'<details><summary>The runbook section</summary><pre>'
            f'{html.escape(runbook.section_text(record.runbook))}</pre></details></section>')


def _notes(line: timeline.Timeline) -> str:
    """The observations typed at a game day's pauses, as a list under the plot."""
    if not line.notes:
        return ""
    items = "".join(f"<li>+{t:.1f} s, before {html.escape(before)}: {html.escape(text)}</li>"
                    for t, before, text in line.notes)
    return f"<p>Observations:</p><ul class=\"notes\">{items}</ul>"


def _detail(row: coverage.Row) -> str:
    return "no scenario of this run proves it" if row.kind == "not-covered" else row.detail


def _coverage(records: list[ScenarioRecord], runbook: Runbook) -> str:
    ran = [SimpleNamespace(id=r.scenario, proves=r.proves or []) for r in records]
    table = [row for row in coverage.rows(runbook, ran) if row.kind != "structure"]
    rows = "".join(f'<tr><td class="num">L{row.line}</td><td>{html.escape(row.kind)}</td>'
                   f'<td>{html.escape(row.text.strip())}</td><td>{html.escape(_detail(row))}</td></tr>' for row in table)
    return ("<h2>Runbook coverage of this run</h2><table><tr><th>line</th><th>kind</th><th>runbook text</th>"
            f"<th>proved by / equivalent / why not checkable</th></tr>{rows}</table>")


def _repeat(table: list | None) -> str:
    """A repeated run's table: per scenario its verdicts, each check's worst margin."""
    if not table:
        return ""
    rows = "".join(f'<tr><td>{html.escape(row.scenario)}</td><td class="num">{row.runs}</td>'
                   f'<td>{html.escape(", ".join(f"{n} {s}" for s, n in sorted(row.verdicts.items())))}</td>'
                   f'<td><pre>{html.escape(chr(10).join(f"{c}: {m}" for c, m in row.worst.items()))}</pre></td></tr>'
                   for row in table)
    return ('<h2 id="repeat">Repetitions (--repeat)</h2><table><tr><th>scenario</th><th>runs</th><th>verdicts</th>'
            f'<th>each check\'s worst margin</th></tr>{rows}</table><p>Below: the last repetition.</p>')


def _cell(cell) -> str:
    if cell.state == "quiet":
        return '<td class="bad">missed</td>' if cell.missed else "<td>-</td>"
    said = f"{cell.state} {cell.firing_s:.1f} s" + (" (after the fault)" if cell.phase == "remediation" else "")
    flag = ' class="bad"' if cell.unexplained else ' class="ok"'
    return f"<td{flag}>{html.escape(said)}{' - unexplained' if cell.unexplained else ''} [{cell.expected}]</td>"


def _alert_matrix(matrix) -> str:
    """The alert matrix: scenarios x alerts, what fired and what the runbook expects."""
    if matrix is None or not matrix.cells:
        return ""
    head = "".join(f"<th>{html.escape(a)}</th>" for a in matrix.alerts)
    rows = []
    for scenario in dict.fromkeys(c.scenario for c in matrix.cells):
        cells = {c.alert: c for c in matrix.cells if c.scenario == scenario}
        rows.append(f"<tr><td>{html.escape(scenario)}</td>{''.join(_cell(cells[a]) for a in matrix.alerts)}</tr>")
    scores = "".join(f"<td>precision {_score(s['precision'])}, recall {_score(s['recall'])}</td>"
                     for s in matrix.scores().values())
    unexplained = len(matrix.unexplained())
    return (f'<h2 id="alerts">Alert matrix</h2><p>Each alert as the runbook expects it: [must] the scenario is of '
            f"its section, [may] its section lists the scenario's cause among its Common causes, [no] neither - "
            f"a page there is unexplained ({unexplained} in this run; a deviation under --strict-alerts). Times "
            f"from the injection.</p><table><tr><th>scenario</th>{head}</tr>{''.join(rows)}"
            f"<tr><th>per alert</th>{scores}</tr></table>")


def _score(value) -> str:
    return "-" if value is None else f"{value:.0%}"


def render(records: list[ScenarioRecord], runbook: Runbook, title: str, repeat: list | None = None,
           alert_matrix=None) -> str:
    """Returns the report page for the scenario records (journals) of one run (and its
    alert matrix, harness.alerts.matrix, when given)."""
    p99_ms, error_rate = runbook.value("threshold.p99_ms"), runbook.value("threshold.error_rate")
    lines = {r.scenario: timeline.build(r, p99_ms) for r in records}
    counts = verdict_counts(records)
    head = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{STYLE}</style><script>{_plotly_js()}</script></head><body>")
    summary = ", ".join(f"{n} {s}" for s, n in counts.items())
    near = sum(len(margins.marginal(r.verdicts)) for r in records)
    summary += f'; <a href="#marginal">{near} marginal check(s)</a>'
    body = "".join(_scenario(r, lines[r.scenario], runbook, p99_ms, error_rate) for r in records)
    return (f"{head}<h1>{html.escape(title)}</h1><p>{len(records)} scenario(s): {summary}. Runbook: "
            f"{html.escape(str(runbook.path))}</p>{_repeat(repeat)}{_summary(records, lines)}{_marginal(records)}"
            f"{_alert_matrix(alert_matrix)}<h2>Scenarios</h2>{body}"
            f"{_coverage(records, runbook)}</body></html>\n")


def load_journals(journal_dir: Path) -> list[ScenarioRecord]:
    """Returns the scenario records of a journal directory, in the order they ran;
    raises ConfigError naming a file that is not a scenario journal."""
    try:
        records = journal.read_all(journal_dir)
    except journal.JournalError as exc:
        raise ConfigError(f"drill report: {exc}") from None
    return sorted(records, key=lambda r: r.start)


def write(records: list[ScenarioRecord], runbook: Runbook, path: Path, title: str, repeat: list | None = None,
          alert_matrix=None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(records, runbook, title, repeat, alert_matrix))
    return path
