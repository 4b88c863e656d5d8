"""`drill`'s commands that need no stack: list, coverage, alerts, export and report read
the runbook, the scenarios or stored journals; build makes a candidate image."""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import replace
from pathlib import Path

from runbook_drill.harness.packaged import asset
from runbook_drill.runs import add_scenarios_argument, engine_session, runbook_of, scenarios_of
from runbook_drill.suite import alert_causes, alert_matrix
from runbook_drill.harness.errors import ConfigError
from runbook_drill.harness.runbook import RUNBOOK, Runbook

# `drill build`'s default source tree: the reference services the tool carries.
SOURCE_ROOT = asset("services").parent


def cmd_list(settings, options) -> int:
    """Prints one line per scenario: id, runbook section, title (a team's: and where from)."""
    for scenario in scenarios_of(options, settings):
        origin = f"  [{scenario.origin}]" if scenario.origin != "built-in" else ""
        print(f"{scenario.id:<34} {scenario.runbook:<30} {scenario.title}{origin}")
    return 0


def cmd_coverage(settings, options) -> int:
    """Prints every runbook line with what proves it, or why a machine cannot."""
    from runbook_drill.harness.report import coverage

    print(coverage.render(coverage.rows(runbook_of(options), scenarios_of(options, settings))))
    return 0


def cmd_alerts(settings, options) -> int:
    """Prints the runbook's alert rules, or writes them with Alertmanager's routing to --out."""
    from runbook_drill.harness.alerts import routing, rules

    runbook = runbook_of(options)
    profile = rules.PROFILES[options.profile]
    text = rules.render(runbook, profile, options.runbook_url or rules.RUNBOOK_URL)
    if not options.out:
        print(text, end="")
        return 0
    out = Path(options.out)
    if not out.is_dir():
        raise ConfigError(f"--out {out}: no such directory")
    (out / "runbook-alerts.yml").write_text(text)
    (out / "alertmanager.yml").write_text(routing.render(runbook, profile))
    print(f"wrote {out / 'runbook-alerts.yml'} and {out / 'alertmanager.yml'} ({profile.name} profile)")
    return 0


def cmd_export(settings, options) -> int:
    """Writes one Chaos Toolkit experiment per chosen scenario into --out."""
    from runbook_drill import scenarios
    from runbook_drill import ctk_actions
    from runbook_drill.harness.export import chaostoolkit

    runbook = runbook_of(options)
    chosen = scenarios.select(scenarios_of(options, settings), options.ids, [])
    sources = ctk_actions.sources(runbook, settings.scenarios)
    experiments = {s.id: chaostoolkit.experiment(s, runbook, options.profile, actions=ctk_actions.__name__,
                                                 sources=sources)
                   for s in chosen}
    out = Path(options.out)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out} is not a directory")
    out.mkdir(parents=True, exist_ok=True)
    for sid, experiment in experiments.items():
        (out / f"{sid}.json").write_text(json.dumps(experiment, indent=2) + "\n")
    print(f"{len(experiments)} Chaos Toolkit experiment(s), {options.profile} profile, in {out}/ "
          f"(chaos validate {out}/<id>.json; chaos run ...)")
    return 0


def cmd_report(settings, options) -> int:
    """Renders the report page again from stored journals (no engine needed); with
    --merge, joins shards' runs into one run directory (report, JUnit, journals)."""
    from runbook_drill.harness.report import html

    if bool(options.merge) == bool(options.journals):
        raise ConfigError("drill report: give a journal directory, or --merge with the shards' run directories")
    if options.merge:
        from runbook_drill.merging import merge_shards

        return merge_shards(options, settings)
    journals = Path(options.journals)
    records = html.load_journals(journals) if journals.is_dir() else []
    if not records:
        raise ConfigError(f"drill report: {journals} holds no scenario journals (*.json)")
    kept = journals.parent / "runbook.md"
    runbook = Runbook(Path(options.runbook) if options.runbook else kept if kept.is_file() else RUNBOOK)
    out = Path(options.out) if options.out else journals.parent / "index.html"
    alerts = alert_matrix(records, runbook, alert_causes(runbook, _judged_by(runbook, options, settings)))
    html.write(records, runbook, out, f"runbook-drill run {journals.resolve().parent.name}", alert_matrix=alerts)
    print(f"report: {out} ({len(records)} scenarios)")
    return 0


def _judged_by(runbook: Runbook, options, settings) -> list:
    """Returns every scenario as built from `runbook` (a stored run's own copy, when the
    command was given none) - what a stored run is read against."""
    return scenarios_of(replace(options, runbook=runbook.path), settings)


def cmd_dashboard(settings, options) -> int:
    """Writes the Grafana dashboard generated from the runbook (stdout, or --out FILE);
    with --run, the run's fault windows as annotations beside it (FILE.annotations.json,
    the body of Grafana's POST /api/annotations, one each)."""
    from runbook_drill.harness.alerts import dashboard
    from runbook_drill.harness.report import html

    model = dashboard.build(runbook_of(options))
    text = json.dumps(model, indent=1, sort_keys=True) + "\n"
    if not options.out:
        print(text, end="")
        return 0
    out = Path(options.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    said = f"dashboard: {out} ({len(model['panels'])} panels)"
    if options.run:
        records = html.load_journals(Path(options.run) / "journal")
        marks = out.with_suffix(".annotations.json")
        marks.write_text(json.dumps(dashboard.annotations(records), indent=1) + "\n")
        said += f"; {len(records)} fault window(s) as annotations: {marks}"
    print(said)
    return 0


def cmd_suggest(settings, options) -> int:
    """Writes what a run saw that the runbook does not say, as a patch (stdout, or --out)."""
    from runbook_drill.harness.report import coverage, html, suggest

    run_dir = Path(options.journals) if options.journals else Path("reports") / "latest"
    records = html.load_journals(run_dir / "journal") if (run_dir / "journal").is_dir() else []
    if not records:
        raise ConfigError(f"drill suggest: {run_dir} holds no run (a directory with journal/*.json)")
    kept = run_dir / "runbook.md"
    runbook = Runbook(Path(options.runbook) if options.runbook else kept if kept.is_file() else RUNBOOK)
    name = str(options.runbook) if options.runbook else (
        "runbook/user-api-runbook.md" if runbook.text == Runbook(RUNBOOK).text else str(kept))
    every = _judged_by(runbook, options, settings)
    unprovable = [row for row in coverage.rows(runbook, every)
                  if row.kind == "not-checkable" and re.search(r"flagged|contradicts", row.detail)]
    # what paged where its section does not explain: each a cause its section could list
    pages = alert_matrix(records, runbook, alert_causes(runbook, every)).unexplained()
    suggested = suggest.suggestions(records, runbook, pages)
    found = suggest.findings(records, runbook, unprovable)
    text = suggest.patch(runbook, suggested, found, str(run_dir / "journal"), name)
    if options.out:
        Path(options.out).write_text(text)
    else:
        print(text, end="")
    print(f"suggest: {len(suggested)} suggestion(s), {len(found)} finding(s) for {name}"
          + (f"; patch: {options.out} (git apply {options.out})" if options.out else ""), file=sys.stderr)
    return 0


def cmd_history(settings, options) -> int:
    """Writes the run history (drill history): per scenario across the stored runs, as a
    page and JSON; --keep N prunes all but the newest N runs first."""
    from runbook_drill.harness.report import trends

    reports = Path(options.reports)
    if not reports.is_dir():
        raise ConfigError(f"drill history: --reports {reports}: no such directory")
    if options.keep is not None:
        removed = trends.prune(reports, options.keep)
        print(f"pruned {len(removed)} run(s) older than the newest {options.keep}")
    found = trends.collect(reports)
    if not found:
        raise ConfigError(f"drill history: no scenario journals under {reports}")
    out = Path(options.out) if options.out else reports / "history.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(trends.render(found, f"runbook-drill history: {reports}"))
    out.with_suffix(".json").write_text(trends.to_json(found) + "\n")
    flaky = [t.scenario for t in found if any(p.flaky for p in t.points)]
    runs = {point.run for trend in found for point in trend.points}
    print(f"history: {len(found)} scenario(s) over {len(runs)} run(s); page {out}; json "
          f"{out.with_suffix('.json')}; flaky: {', '.join(flaky) or 'none'}")
    return 0


def _at_least_one(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of runs of at least 1")
    return int(text)


def cmd_build(settings, options) -> int:
    """Builds a User API image from a source tree (default: the reference services the tool carries), or one of
    examples/ by name (go-user-api), tagged --tag."""
    from runbook_drill.harness.engine.images import build_user_api
    from runbook_drill.harness.engine.recipes import EXAMPLES

    if options.what in EXAMPLES:
        return _build_example(settings, EXAMPLES[options.what], options.tag)
    if options.what != "user-api":
        raise ConfigError(f"drill build: can build 'user-api' or {', '.join(map(repr, EXAMPLES))}, not {options.what!r}")
    source = Path(options.source) if options.source else SOURCE_ROOT
    if not source.is_dir():
        raise ConfigError(f"--source {source}: no such directory")
    with engine_session(settings) as session:
        started = time.monotonic()
        build_user_api(session.images, source, options.tag)
    print(f"built {options.tag} from {source} in {time.monotonic() - started:.1f}s")
    return 0


def _build_example(settings, spec, tag: str) -> int:
    """Builds (or finds, by its content hash) an example User API and tags it `tag`."""
    with engine_session(settings) as session:
        started = time.monotonic()
        image = session.images.resolve_spec(spec)
        repository, _, version = tag.rpartition(":") if ":" in tag.rsplit("/", 1)[-1] else (tag, "", "latest")
        session.client.images.get(image.ref).tag(repository, version)
    print(f"built {tag} ({image.source}) from examples/{spec.name} in {time.monotonic() - started:.1f}s")
    return 0


def _runbook_option(parser, scenarios: bool = True) -> None:
    parser.add_argument("--runbook", metavar="PATH", help="another copy of the runbook")
    if scenarios:
        add_scenarios_argument(parser)


def add_parsers(sub) -> None:
    """Adds list, report, coverage, alerts, export and build to the `drill` parser."""
    listing = sub.add_parser("list", help="the scenarios: id, runbook section, title")
    _runbook_option(listing)
    report = sub.add_parser("report", help="render the HTML report again from stored journals")
    report.add_argument("journals", nargs="?", metavar="JOURNAL_DIR",
                        help="a run's journal directory (reports/<run>/journal)")
    report.add_argument("--runbook", metavar="PATH", help="the runbook to show (default: the run's own copy)")
    report.add_argument("--out", metavar="PATH", help="where to write the page (default: beside the journals); "
                        "with --merge, the directory of the joined run (default reports/<new run>-merged)")
    report.add_argument("--merge", nargs="+", metavar="RUN_DIR", help="join shards' runs (drill run --shard K/N): "
                        "one report, JUnit file and coverage table; a scenario missing or twice is an error")
    report.add_argument("--junit", metavar="PATH", help="with --merge: also write the JUnit XML here")
    report.add_argument("--summary-md", metavar="PATH", help="with --merge: append the run as Markdown here")
    report.add_argument("--flaky-is-ok", action="store_true", help="with --merge: flaky scenarios exit 0")
    add_scenarios_argument(report)
    history = sub.add_parser("history", help="per scenario across stored runs: verdicts, times, p99, flaky")
    history.add_argument("--reports", default="reports", metavar="DIR", help="where the runs are (default reports/)")
    history.add_argument("--out", metavar="FILE", help="the page (default DIR/history.html; the JSON beside it)")
    history.add_argument("--keep", type=_at_least_one, metavar="N", help="first remove all but the newest N runs")
    coverage = sub.add_parser("coverage", help="every runbook line -> the scenarios that prove it, or why not")
    _runbook_option(coverage)
    alerts = sub.add_parser("alerts", help="the runbook's Quick Response sections as Prometheus alert rules")
    alerts.add_argument("--profile", choices=["production", "test"], default="production",
                        help="production: 5-minute windows; test: seconds, as the suite's stack runs them")
    _runbook_option(alerts, scenarios=False)
    alerts.add_argument("--runbook-url", metavar="URL", help="where the on-call reads the runbook (runbook_url)")
    alerts.add_argument("--out", metavar="DIR", help="write runbook-alerts.yml and alertmanager.yml there")
    _add_export(sub)
    suggestions = sub.add_parser("suggest", help="what a run saw that the runbook does not say, as a patch to it")
    suggestions.add_argument("journals", nargs="?", metavar="RUN_DIR", help="a run directory (default reports/latest)")
    _runbook_option(suggestions)
    suggestions.add_argument("--out", metavar="PATCH", help="write the patch here (default: standard output)")
    board = sub.add_parser("dashboard", help="the Grafana dashboard the runbook sends the on-call to, generated")
    _runbook_option(board, scenarios=False)
    board.add_argument("--out", metavar="FILE", help="write it here (default: standard output)")
    board.add_argument("--run", metavar="RUN_DIR", help="also a run's fault windows as annotations (FILE.annotations"
                                                        ".json; needs --out)")
    from runbook_drill.harness.engine.recipes import EXAMPLES

    build = sub.add_parser("build", help="build a User API image from a source tree (a candidate), or an example")
    build.add_argument("what", choices=["user-api", *EXAMPLES],
                       help="user-api: from --source; go-user-api: examples/go-user-api")
    build.add_argument("--source", metavar="DIR", help="a tree laid out like this repository (default: this one)")
    build.add_argument("--tag", required=True, metavar="REF", help="the image reference to build")


def _add_export(sub) -> None:
    export = sub.add_parser("export", help="the scenarios as experiments of another engine (Chaos Toolkit)")
    export.add_argument("engine", choices=["chaostoolkit"])
    export.add_argument("ids", nargs="*", metavar="ID", help="scenario ids (default: all)")
    export.add_argument("--out", required=True, metavar="DIR", help="where to write <id>.json")
    export.add_argument("--profile", choices=["local", "kubernetes"], default="local",
                        help="local: the compose stack on this host; kubernetes: a cluster (see the README)")
    _runbook_option(export)


COMMANDS = {"list": cmd_list, "coverage": cmd_coverage, "alerts": cmd_alerts, "export": cmd_export,
            "report": cmd_report, "history": cmd_history, "build": cmd_build, "dashboard": cmd_dashboard,
            "suggest": cmd_suggest}
