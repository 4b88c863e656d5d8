"""The run as Markdown for a CI job's page (GitHub's $GITHUB_STEP_SUMMARY, a GitLab
merge-request note): the verdicts, what changed against the baseline in a release
validation, and where the report, journals and JUnit file are."""

from __future__ import annotations

from pathlib import Path

from runbook_drill.harness.report.compare import Row
from runbook_drill.harness.run.suite import STATUSES, counts, exit_code, marginal, said
from runbook_drill.harness.run.journal import ScenarioRecord

MARK = {"passed": "✅", "flaky": "⚠️", "failed": "❌", "unknown": "❔", "aborted": "🛑", "error": "💥"}


def cell(text: str) -> str:
    """Returns `text` safe in a Markdown table cell (pipes escaped, one line)."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _verdicts(records: list[ScenarioRecord]) -> list[str]:
    rows = ["| scenario | runbook section | verdict | seconds | deciding check (or marginal passes) |",
            "|---|---|---|---:|---|"]
    for r in records:
        why = said(r)
        rows.append(f"| `{r.scenario}` | {cell(r.runbook)} | {MARK.get(r.status, '')} {r.status} | "
                    f"{r.end - r.start:.1f} | {cell(why)[:300]} |")
    return rows


def _changes(rows: list[Row] | None) -> list[str]:
    """Returns the 'against the baseline' part: the scenarios whose verdict changed."""
    if rows is None:
        return ["No baseline in this run (release validation: `drill run --baseline-image REF "
                "--user-api-image REF`)."]
    changed = [row for row in rows if row.change != "same"]
    if not changed:
        return [f"Every one of {len(rows)} scenario(s) kept its baseline verdict."]
    out = ["| scenario | baseline | candidate | change |", "|---|---|---|---|"]
    out += [f"| `{row.scenario}` | {row.baseline.status if row.baseline else '-'} | "
            f"{row.candidate.status if row.candidate else '-'} | **{row.change}** |" for row in changed]
    return out


def render(records: list[ScenarioRecord], title: str, where: dict[str, Path], comparison: list[Row] | None = None,
           flaky_is_ok: bool = False, alert_matrix=None) -> str:
    """Returns the Markdown summary of a run's records; `where` names its files
    (report, journals, junit), `comparison` is a release validation's rows."""
    tally = counts(records)
    said = ", ".join(f"{tally[s]} {s}" for s in STATUSES if tally[s])
    code = exit_code(records, flaky_is_ok)
    near = sum(len(marginal(r)) for r in records if r.status == "passed")
    lines = [f"## {title}", "", f"**{len(records)} scenario(s)**: {said or 'none ran'} - exit {code}"
             + (" (flaky scenarios let through: --flaky-is-ok)" if flaky_is_ok and tally["flaky"] else "")
             + f"; {near} marginal check(s) among the passes", ""]
    lines += _verdicts(records) + _unexplained(alert_matrix)
    lines += ["", "### Against the baseline", ""] + _changes(comparison) + [""]
    lines += ["### Files", ""] + [f"- {name}: `{path}`" for name, path in where.items()] + [""]
    return "\n".join(lines)


def _unexplained(matrix) -> list[str]:
    """The alert matrix's unexplained pages: an alert whose section names no cause the
    scenario broke (none: one line saying so)."""
    if matrix is None:
        return []
    cells = matrix.unexplained()
    return ["", f"**Unexplained pages**: {len(cells)}" + ("" if cells else " - every page was one its section explains"),
            *[f"- {c.scenario}: {c.alert} {c.state} at {c.firing_s:.1f} s"
              + (" (after the fault)" if c.phase == "remediation" else "") for c in cells]]


def write(path: Path, text: str) -> Path:
    """Writes (appends, when the file exists - a job's summary file collects steps) the summary."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as out:
        out.write(text + "\n")
    return path
