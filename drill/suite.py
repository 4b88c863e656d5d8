"""`drill run`: the runbook suite against the bundled User API or a candidate image,
and release validation (`--baseline-image`: the suite against both, side by side).

Everything a run needs is checked before anything starts - the runbook parsed (drift is
exit 2, naming the text), the ids and sections known, a candidate image present - so
bad input leaves nothing behind.

In a team's CI: `--shard K/N` runs shard K of a deterministic split (balanced by the durations
earlier runs recorded), `--rerun-failed N` runs a failed or unknown scenario again and
calls one that then passes flaky (still exit 1 unless `--flaky-is-ok`), `--summary-md`
writes the run as Markdown for the job's page."""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from runbook_drill.runs import (REPORTS_DIR, StackChoice, add_plan_argument, add_profile_arguments, add_scenarios_argument, add_stop_argument,
                        add_target_arguments, engine_session, new_run_dir, point_latest, print_plan, profile_of,
                        require_image, runbook_of, scenarios_of)
from runbook_drill.harness.errors import ConfigError
from runbook_drill.options import RunOptions
from runbook_drill.harness.run import abort, journal, shards, stops
from runbook_drill.harness.run.journal import ScenarioRecord
from runbook_drill.harness.runbook import Runbook


def print_result(record: ScenarioRecord) -> None:
    """Prints one scenario's result line: verdict, id, seconds and, for one that did
    not pass, the deciding check with its evidence."""
    from runbook_drill.harness.run.suite import said

    line = f"{record.status.upper():<8} {record.scenario:<34} {record.seconds or 0.0:6.1f}s"
    why = said(record)
    print(f"{line}  {why}" if why else line, flush=True)


@dataclass(frozen=True)
class Judging:
    """What a run derives from its options before anything starts: the service profile,
    the stop conditions (validated against the runbook), and each image's contract case
    (its runbook lines found unmet, judged as a failed case of its run)."""

    options: RunOptions
    profile: Any
    stops: list = field(default_factory=list)
    contract_cases: dict = field(default_factory=dict)
    # alert -> the faults its section's Common causes name (harness.alerts.matrix.causes)
    alert_causes: dict = field(default_factory=dict)


def cmd_run(settings, options: RunOptions) -> int:
    """Runs the suite (or the chosen scenarios); exit 0 passed, 1 deviated, 3 harness
    error. With --baseline-image: the suite against the baseline, then the candidate,
    and the comparison; exit 1 if the candidate lost a verdict the baseline had. A
    candidate image is pre-flighted first (`drill contract`): one the suite cannot
    drive stops the run there (exit 3, the table printed)."""
    from runbook_drill import scenarios
    from runbook_drill.contract import ensure_drivable

    runbook = runbook_of(options)
    judging = Judging(options, profile_of(options), stops.parse_all(list(options.stop_when), runbook))
    every = scenarios_of(options, settings)
    judging = replace(judging, alert_causes=alert_causes(runbook, every))
    chosen = scenarios.select(every, list(options.ids), list(options.section))
    make_stack = StackChoice(options)
    chosen, plan = shard_of(chosen, options)
    if options.plan:
        return print_plan(chosen, lambda scenario: stops.for_scenario(runbook, scenario, judging.stops))
    if plan is not None and not chosen:
        return _empty_shard(runbook, plan)
    with engine_session(settings) as session:
        images = list(filter(None, (options.baseline_image, options.user_api_image)))
        for image in images:
            require_image(session, image)
        run = {scenario.id for scenario in chosen}
        judging = replace(judging, contract_cases={
            image: ensure_drivable(session, image, judging.profile, runbook, run)
            for image in (images if make_stack.project is None else [])})
        run_id, run_dir = new_run_dir()
        run_dir.mkdir(parents=True, exist_ok=True)
        (run_dir / "runbook.md").write_text(runbook.text)  # what the run judged against, for re-rendering
        if plan is not None:
            shards.write_plan(run_dir, plan)
        with abort.running(settings.state_dir, run_id, settings.abort_file):  # `drill abort` stops it
            if options.baseline_image:
                code = release(session, chosen, runbook, judging, run_id, run_dir)
            else:
                result = run_and_report(session, chosen, runbook, options.user_api_image, run_dir,
                                        f"runbook-drill run {run_id}", judging, make_stack)
                code = alerts_gate(result.alert_matrix, options.strict_alerts, result.exit_code())
                point_latest(run_dir)
    return coverage_gate(runbook, every, options.strict_coverage, code)


def alert_causes(runbook: Runbook, every: list) -> dict:
    """Returns alert -> the faults its section's Common causes name, as the suite's
    scenarios inject them (what the alert matrix calls an expected page)."""
    from runbook_drill.harness.alerts import matrix

    return matrix.causes(matrix.expectations(runbook), every)


def alert_matrix(records: list[ScenarioRecord], runbook: Runbook, causes: dict, out: Path | None = None):
    """Returns the run's alert matrix (`causes`: `alert_causes`), written as alerts.json
    under `out` when given."""
    from runbook_drill.harness.alerts import matrix

    built = matrix.build(records, matrix.expectations(runbook), causes)
    if out is not None:
        (out / "alerts.json").write_text(json.dumps(built.to_json(), indent=1) + "\n")
    return built


def write_dashboard(runbook: Runbook, options, records: list[ScenarioRecord], out: Path) -> None:
    """Writes the dashboard the run judged (--dashboard, or the runbook's) as
    dashboard.json under `out`, for the team to import, and the run's fault windows as
    its annotations (dashboard.annotations.json)."""
    from runbook_drill.harness.alerts import dashboard
    from runbook_drill.runs import dashboard_file

    model = dashboard_file(options.dashboard) if options.dashboard else dashboard.build(runbook)
    (out / "dashboard.json").write_text(json.dumps(model, indent=1, sort_keys=True) + "\n")
    (out / "dashboard.annotations.json").write_text(json.dumps(dashboard.annotations(records), indent=1) + "\n")


def alerts_gate(found, strict: bool, code: int) -> int:
    """Prints the unexplained pages; returns the exit code - 1 instead of 0 when
    `strict` and there is one (a harness error, 3, stays 3)."""
    cells = found.unexplained()
    print(f"alerts: {len(cells)} unexplained page(s)" + (" (--strict-alerts: exit 1)" if strict and cells and code == 0
                                                          else ""), flush=True)
    for cell in cells:
        print(f"  {cell.scenario}: {cell.alert} {cell.state} at {cell.firing_s:.1f} s"
              + (" (after the fault)" if cell.phase == "remediation" else ""))
    return 1 if strict and cells and code == 0 else code


def shard_of(chosen: list, options) -> tuple[list, dict | None]:
    """Returns (the scenarios this run takes, its shard plan - None without --shard)."""
    if not options.shard:
        return chosen, None
    shard = shards.Shard.parse(options.shard)
    source = Path(options.durations_from) if options.durations_from else REPORTS_DIR
    if options.durations_from and not source.is_dir():
        raise ConfigError(f"--durations-from {source}: no such directory")
    mine, plan = shards.take(chosen, shard, shards.recorded_durations(source))
    print(f"shard {shard}: {len(mine)} of {len(chosen)} scenario(s), about {plan['expected_s']:.0f} s of the "
          f"suite's {plan['suite_expected_s']:.0f} s", flush=True)
    return mine, plan


def _empty_shard(runbook: Runbook, plan: dict) -> int:
    """A shard with nothing to run (more shards than scenarios): its plan is kept, so
    that the merge knows it took part; nothing starts."""
    run_id, run_dir = new_run_dir()
    run_dir.mkdir(parents=True)
    (run_dir / "runbook.md").write_text(runbook.text)
    shards.write_plan(run_dir, plan)
    print(f"shard {plan['shard']}/{plan['of']}: no scenario to run; plan in {run_dir}", flush=True)
    return 0


def coverage_gate(runbook: Runbook, every: list, strict: bool, code: int) -> int:
    """Prints how many checkable runbook lines no scenario of the suite proves (each
    named when there are any); returns the run's exit code - 1 instead of 0 when
    `strict` and there are such lines (a harness error, 3, stays 3)."""
    from runbook_drill.harness.report.coverage import uncovered

    gaps = uncovered(runbook, every)
    print(f"coverage: {len(gaps)} checkable runbook line(s) no scenario proves"
          + (" (--strict-coverage: exit 1)" if strict and gaps and code == 0 else ""), flush=True)
    for row in gaps:
        print(f"  L{row.line}: {row.text.strip()}")
    return 1 if strict and gaps and code == 0 else code


def run_and_report(session, chosen, runbook: Runbook, image: str | None, out: Path, title: str, judging: Judging,
                   make_stack: StackChoice | None = None, summarize: bool = True):
    """Runs the scenarios against `image` (None: the bundled User API) on one stack;
    writes the journals, JUnit XML and report page (and, when `summarize`, the Markdown
    summary) under `out`; returns the SuiteResult."""
    from runbook_drill.harness.run.suite import marginal, run_suite
    from runbook_drill.scenarios.common import stack_config

    options = judging.options
    make_stack = make_stack or StackChoice(options)
    against = make_stack.target or image or "the bundled User API"
    print(f"{title}: {len(chosen)} scenario(s) against {against}; runbook {runbook.path}", flush=True)
    from runbook_drill.harness.report.trends import RUN_FILE  # beside the journals: what the run was against (history reads it)

    out.mkdir(parents=True, exist_ok=True)
    (out / RUN_FILE).write_text(json.dumps({"title": title, **image_identity(session, image)}, indent=1) + "\n")
    repeat = options.repeat
    result = run_suite(session, chosen, stack_config(image, profile=judging.profile), out / "journal", print_result,
                       make_stack, reruns=options.rerun_failed,
                       stops_for=lambda scenario: stops.for_scenario(runbook, scenario, judging.stops),
                       repeat=repeat)
    result.flaky_is_ok = options.flaky_is_ok
    if case := judging.contract_cases.get(image):  # the image's runbook lines found unmet
        result.records.insert(0, journal.write(out / "journal", case))
        print_result(result.records[0])
    table = write_repeat(result.records, out) if repeat > 1 else None
    shown = [r for r in result.records if (r.repetition or repeat) == repeat]  # the report: the last repetition
    result.alert_matrix = alert_matrix(shown, runbook, judging.alert_causes, out)
    write_dashboard(runbook, options, shown, out)
    files = write_outputs(shown, runbook, out, f"{title} against {against}", options, summarize=summarize,
                          repeat=table, alert_matrix=result.alert_matrix)
    counts = result.counts()
    near = sum(len(marginal(r)) for r in result.records if r.status == "passed")
    print(f"suite: {counts['passed']} passed ({near} marginal check(s)), {counts['flaky']} flaky, "
          f"{counts['failed']} failed, {counts['unknown']} unknown, {counts['aborted']} aborted, "
          f"{counts['error']} errors in "
          f"{result.seconds:.0f}s; stack starts: "
          f"{result.stack_starts}; report: {files['report']}; journals: {files['journals']}; junit: {files['junit']}",
          flush=True)
    return result


def write_repeat(records: list[ScenarioRecord], out: Path) -> list:
    """Writes and prints a repeated run's table (repeat.txt and repeat.json under
    `out`): per scenario its verdicts over the repetitions and each check's worst
    margin; returns its rows."""
    from runbook_drill.harness.report import repeat

    table = repeat.rows(records)
    text = repeat.render(table)
    (out / "repeat.txt").write_text(text + "\n")
    (out / "repeat.json").write_text(repeat.to_json(table) + "\n")
    print(text, flush=True)
    return table


def image_identity(session, image: str | None) -> dict:
    """Returns what a run ran against: the image reference ("bundled" when the suite's
    own) and its id (None when the engine cannot say) - history groups runs by the id."""
    try:
        ref = image or session.images.resolve("user-api", build=False).ref
        return {"image": image or "bundled", "ref": ref, "image_id": session.client.images.get(ref).id}
    except Exception:  # history loses the id, the run goes on
        return {"image": image or "bundled", "ref": image, "image_id": None}


def write_outputs(records: list[ScenarioRecord], runbook: Runbook, out: Path, title: str, options, comparison=None,
                  summarize: bool = True, repeat: list | None = None, alert_matrix=None) -> dict:
    """Writes the JUnit XML (also to --junit), the report page and (--summary-md) the
    Markdown summary of `records` under `out` (with the alert matrix, when given);
    returns where each went."""
    from runbook_drill.harness.report import html, junit

    flaky_is_ok = options.flaky_is_ok
    xml = junit.write(records, out / "junit.xml", flaky_is_ok)
    if options.junit:
        xml = junit.write(records, Path(options.junit), flaky_is_ok)
    files = {"report": html.write(records, runbook, out / "index.html", title, repeat, alert_matrix),
             "journals": out / "journal", "junit": xml}
    if summarize and options.summary_md:
        write_summary(records, files, title, options, comparison, alert_matrix)
    return files


def run_files(out: Path) -> dict:
    """Returns where a run under `out` keeps its report, journals and JUnit file."""
    return {"report": out / "index.html", "journals": out / "journal", "junit": out / "junit.xml"}


def write_summary(records: list[ScenarioRecord], files: dict, title: str, options, comparison=None,
                  alert_matrix=None) -> None:
    """Appends the Markdown summary of a run whose files are `files` to --summary-md."""
    from runbook_drill.harness.report import summary

    summary.write(Path(options.summary_md), summary.render(records, title, files, comparison,
                                                        options.flaky_is_ok, alert_matrix))


def release(session, chosen, runbook: Runbook, judging: Judging, run_id: str, run_dir: Path) -> int:
    """Release validation: baseline, then candidate, then the comparison side by side;
    returns the exit code (1: the candidate lost a verdict, 3: a harness error)."""
    runs, options = {}, judging.options
    for label, image in (("baseline", options.baseline_image), ("candidate", options.user_api_image)):
        runs[label] = run_and_report(session, chosen, runbook, image, run_dir / label,
                                     f"runbook-drill run {run_id} {label} ({image})", judging, summarize=False)
    point_latest(run_dir)
    return compare_runs(runs["baseline"].records, runs["candidate"].records, runbook, run_dir, options,
                        f"runbook-drill run {run_id}: {options.user_api_image} against {options.baseline_image}")


def compare_runs(baseline: list[ScenarioRecord], candidate: list[ScenarioRecord], runbook: Runbook, run_dir: Path, options,
                 title: str) -> int:
    """Writes and prints a release comparison (comparison.txt and .json in `run_dir`,
    and the summary with --summary-md); returns its exit code: 3 a harness error in
    either run, 1 the candidate lost a verdict the baseline had, else 0."""
    from runbook_drill.harness.report import compare
    from runbook_drill.harness.run.suite import exit_code

    rows = compare.compare(baseline, candidate, runbook.value("threshold.p99_ms"))
    text = compare.render(rows)
    (run_dir / "comparison.txt").write_text(text + "\n")
    (run_dir / "comparison.json").write_text(compare.to_json(rows) + "\n")
    print(text)
    print(f"comparison: {run_dir / 'comparison.txt'}")
    if options.summary_md:
        write_summary(candidate, run_files(run_dir / "candidate"), title, options, rows)
    if 3 in (exit_code(baseline), exit_code(candidate)):
        return 3
    return 1 if compare.worse(rows) else 0


def add_parsers(sub) -> None:
    """Adds `run` to the `drill` parser."""
    run = sub.add_parser("run", help="the runbook suite (no ids: every scenario)")
    run.add_argument("ids", nargs="*", metavar="ID", help="scenario ids (see `drill list`)")
    run.add_argument("--section", action="append", metavar="TEXT", help="scenarios of runbook sections matching TEXT")
    run.add_argument("--user-api-image", metavar="REF", help="run against a candidate image instead")
    run.add_argument("--baseline-image", metavar="REF",
                     help="release validation: run the baseline (the last release) too, and compare")
    run.add_argument("--runbook", metavar="PATH", help="judge against another copy of the runbook")
    add_scenarios_argument(run)
    run.add_argument("--dashboard", metavar="FILE",
                     help="judge this Grafana dashboard (JSON) where the runbook sends the on-call to one (default: "
                          "the one `drill dashboard` generates from the runbook)")
    run.add_argument("--junit", metavar="PATH", help="also write the JUnit XML here")
    add_plan_argument(run)
    add_stop_argument(run)
    run.add_argument("--seed", type=int, help="seed of the load (default 1)")
    run.add_argument("--repeat", type=_repeat, default=1, metavar="N",
                     help="flake hunting: run the chosen scenarios N times on one stack; a table per scenario of "
                          "passes, failures and each check's worst margin (repeat.txt, repeat.json, the report); "
                          "exit 1 if any repetition did not pass")
    run.add_argument("--strict-alerts", action="store_true",
                     help="exit 1 when an alert paged for a scenario its section does not explain (the alert "
                          "matrix's unexplained pages; default: reported, not failing)")
    run.add_argument("--strict-coverage", action="store_true",
                     help="exit 1 when a checkable runbook line has no scenario that proves it (see `drill coverage`)")
    add_ci_arguments(run)
    add_target_arguments(run)
    add_profile_arguments(run)


def _count(text: str) -> int:
    """argparse type of --rerun-failed: a whole number from 0 to 10."""
    if not text.isdigit() or int(text) > 10:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of reruns from 0 to 10")
    return int(text)


def _repeat(text: str) -> int:
    """argparse type of --repeat: a whole number from 1 to 100."""
    if not text.isdigit() or not 1 <= int(text) <= 100:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of repetitions from 1 to 100")
    return int(text)


def add_ci_arguments(run) -> None:
    """Adds the options of a run in a team's CI: shards, the flake policy, the summary."""
    run.add_argument("--shard", metavar="K/N", help="run shard K of N (a deterministic split, balanced by the "
                     "durations earlier runs recorded); join the shards with `drill report --merge`")
    run.add_argument("--durations-from", metavar="DIR", help="with --shard: the runs whose JUnit files' durations "
                     "balance the split (default reports/; none: each scenario's built-in estimate)")
    run.add_argument("--rerun-failed", type=_count, default=0, metavar="N",
                     help="run a failed or unknown scenario again, up to N times; one that then passes is flaky")
    run.add_argument("--flaky-is-ok", action="store_true", help="exit 0 when the only scenarios not passed are flaky")
    run.add_argument("--summary-md", metavar="PATH", help="append the run as Markdown here (e.g. $GITHUB_STEP_SUMMARY)")


COMMANDS = {"run": cmd_run}
