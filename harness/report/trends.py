"""Run history: per scenario across the stored runs - verdict, detection and recovery
time, steady and fault p99, the image it ran against - as JSON and one self-contained
page with the trends plotted (plotly.js inlined, as the report is).

Every figure is the release comparison's own (compare.figures: the checks' statistics
on each journal's History), so a trend and a comparison never disagree. A scenario whose
verdict differs between runs of the same image (by image id) is marked flaky for it:
the image did not change, the verdict did."""

from __future__ import annotations

import html
import json
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

from runbook_drill.harness.checks import margins
from runbook_drill.harness.report.compare import figures
from runbook_drill.harness.report.html import STYLE, VERDICT_CLASS, load_journals
from runbook_drill.harness.runbook import RUNBOOK, Runbook, RunbookError

RUN_FILE, MERGED_FILE = "run.json", "merged.json"
LEVEL = {"passed": 1.0, "flaky": 0.5, "unknown": 0.25, "failed": 0.0, "error": -0.25}  # the verdict plot's y


@dataclass
class Point:
    """One scenario in one run."""

    run: str
    time: float
    image: str
    image_id: str | None
    status: str
    detection_s: float | None
    recovery_s: float | None
    steady_p99_ms: float | None
    fault_p99_ms: float | None
    flaky: bool = False
    worst_margin: str | None = None  # the pass nearest its bound: "CHECK: 410 vs 500 (1.22x)"
    marginal: int = 0  # passes near their bounds


@dataclass
class Trend:
    scenario: str
    points: list[Point] = field(default_factory=list)
    flaky_images: list[str] = field(default_factory=list)


def run_dirs(reports: Path) -> list[Path]:
    """Returns every directory of scenario journals under `reports` (a run's own, or a
    release's baseline/ and candidate/), oldest first - shards a merged run holds left out."""
    runs = sorted(d for d in reports.iterdir() if d.is_dir() and not d.is_symlink()) if reports.is_dir() else []
    merged_away = {name for d in runs if (d / MERGED_FILE).is_file()
                   for name in json.loads((d / MERGED_FILE).read_text()).get("shards", [])}
    found = []
    for run_dir in (d for d in runs if d.name not in merged_away):
        found += [part for part in (run_dir, run_dir / "baseline", run_dir / "candidate") if (part / "journal").is_dir()]
    return found


def _slow_ms(run_dir: Path) -> float:
    """Returns the p99 threshold the run judged by (its runbook copy, else the bundled one)."""
    for path in (run_dir / "runbook.md", run_dir.parent / "runbook.md"):
        if path.is_file():
            try:
                return Runbook(path).value("threshold.p99_ms")
            except RunbookError:
                break
    return Runbook(RUNBOOK).value("threshold.p99_ms")


def _identity(run_dir: Path) -> dict:
    try:
        return json.loads((run_dir / RUN_FILE).read_text())
    except (OSError, ValueError):
        return {}


def points_of(reports: Path, run_dir: Path) -> list[tuple[str, Point]]:
    """Returns (scenario, point) for every journal of one run directory."""
    identity, slow_ms = _identity(run_dir), _slow_ms(run_dir)
    name = str(run_dir.relative_to(reports))
    out = []
    for record in load_journals(run_dir / "journal"):
        f, worst = figures(record, slow_ms), margins.worst(record.verdicts)
        out.append((record.scenario, Point(name, record.start, identity.get("image", "unknown"),
                                              identity.get("image_id"), record.status, f.detection_s,
                                              f.recovery_s, f.steady_p99_ms, f.fault_p99_ms,
                                              worst_margin=f"{worst.check}: {worst.describe()}" if worst else None,
                                              marginal=len(margins.marginal(record.verdicts)))))
    return out


def _mark_flaky(trend: Trend) -> None:
    """Marks the points of an image whose runs of this scenario did not all agree."""
    by_image: dict[str, set[bool]] = {}
    for point in trend.points:
        if point.image_id:
            by_image.setdefault(point.image_id, set()).add(point.status == "passed")
    trend.flaky_images = sorted(image for image, outcomes in by_image.items() if len(outcomes) > 1)
    for point in trend.points:
        point.flaky = point.status == "flaky" or point.image_id in trend.flaky_images


def collect(reports: Path) -> list[Trend]:
    """Returns each scenario's trend over the runs under `reports`, in run order."""
    trends: dict[str, Trend] = {}
    for run_dir in run_dirs(reports):
        for scenario, point in points_of(reports, run_dir):
            trends.setdefault(scenario, Trend(scenario)).points.append(point)
    for trend in trends.values():
        trend.points.sort(key=lambda p: p.time)
        _mark_flaky(trend)
    return [trends[s] for s in sorted(trends)]


def prune(reports: Path, keep: int) -> list[Path]:
    """Removes all but the newest `keep` run directories under `reports` (by run id,
    which begins with its UTC time); returns those removed."""
    runs = sorted(d for d in reports.iterdir() if d.is_dir() and not d.is_symlink() and
                  any((d / part).exists() for part in ("journal", "baseline", "candidate", "shard.json")))
    removed = runs[:-keep] if keep else runs
    for run_dir in removed:
        shutil.rmtree(run_dir)
    return removed


def to_json(trends: list[Trend]) -> str:
    return json.dumps({"scenarios": [asdict(t) for t in trends]}, indent=1, default=str)


def _figure(trend: Trend):
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=("verdict (1 passed, 0.5 flaky, 0 failed)", "detection and recovery (s)",
                                        "p99 latency (ms): steady and fault windows"))
    runs = [p.run for p in trend.points]
    fig.add_scatter(x=runs, y=[LEVEL.get(p.status, 0) for p in trend.points], mode="markers+lines", name="verdict",
                    text=[f"{p.status} on {p.image}" + (" (flaky)" if p.flaky else "") for p in trend.points],
                    row=1, col=1)
    for name in ("detection_s", "recovery_s"):
        fig.add_scatter(x=runs, y=[getattr(p, name) for p in trend.points], mode="markers+lines", name=name,
                        row=2, col=1)
    for name in ("steady_p99_ms", "fault_p99_ms"):
        fig.add_scatter(x=runs, y=[getattr(p, name) for p in trend.points], mode="markers+lines", name=name,
                        row=3, col=1)
    fig.update_layout(height=520, margin={"l": 60, "r": 20, "t": 40, "b": 40}, legend={"orientation": "h"})
    return fig


def _row(trend: Trend) -> str:
    last = trend.points[-1]
    passed = sum(p.status == "passed" for p in trend.points)
    flaky = "yes: " + ", ".join(i[:19] for i in trend.flaky_images) if trend.flaky_images else (
        "yes" if any(p.flaky for p in trend.points) else "no")
    return (f'<tr><td><a href="#{html.escape(trend.scenario)}">{html.escape(trend.scenario)}</a></td>'
            f'<td class="num">{len(trend.points)}</td><td class="num">{passed}</td><td>{html.escape(flaky)}</td>'
            f'<td class="num">{sum(p.marginal > 0 for p in trend.points)}</td>'
            f'<td>{html.escape(last.worst_margin or "-")}</td><td><span class="{VERDICT_CLASS.get(last.status, "unk")}">{html.escape(last.status)}</span> '
            f'({html.escape(last.image)})</td></tr>')


def render(trends: list[Trend], title: str) -> str:
    """Returns the history page: a table of every scenario, then its trends plotted."""
    from plotly.offline import get_plotlyjs

    table = "".join(_row(t) for t in trends)
    plots = "".join(f'<section class="scenario" id="{html.escape(t.scenario)}"><h3>{html.escape(t.scenario)}</h3>'
                    + _figure(t).to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False})
                    + "</section>" for t in trends)
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{STYLE}</style><script>{get_plotlyjs()}</script></head><body><h1>{html.escape(title)}</h1>"
            f"<table><tr><th>scenario</th><th>runs</th><th>passed</th><th>flaky (same image, verdict changed)</th>"
            f"<th>runs with a marginal pass</th><th>last run's pass nearest its bound</th><th>last verdict (image)</th></tr>{table}</table>{plots}</body></html>\n")
