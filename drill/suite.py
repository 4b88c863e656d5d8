"""`drill run`: the runbook suite against the bundled User API or a candidate image,
and release validation (`--baseline-image`: the suite against both, side by side).

Everything a run needs is checked before anything starts - the runbook parsed (drift is
exit 2, naming the text), the ids and sections known, a candidate image present - so
bad input leaves nothing behind."""

from __future__ import annotations

from pathlib import Path

from drill.runs import (StackChoice, add_profile_arguments, add_target_arguments, engine_session, new_run_dir,
                        point_latest, profile_of, require_image, runbook_of, scenarios_of)
from harness.errors import ConfigError
from harness.runbook import Runbook


def print_result(record: dict) -> None:
    """Prints one scenario's result line: verdict, id, seconds and, for one that did
    not pass, the deciding check with its evidence."""
    from harness.run.suite import deciding

    line = f"{record['status'].upper():<8} {record['scenario']:<34} {record['seconds']:6.1f}s"
    why = deciding(record)
    print(f"{line}  {why}" if why else line, flush=True)


def cmd_run(settings, args) -> int:
    """Runs the suite (or the chosen scenarios); exit 0 passed, 1 deviated, 3 harness
    error. With --baseline-image: the suite against the baseline, then the candidate,
    and the comparison; exit 1 if the candidate lost a verdict the baseline had. A
    candidate image is pre-flighted first (`drill contract`): one the suite cannot
    drive stops the run there (exit 3, the table printed)."""
    import scenarios
    from drill.contract import ensure_drivable

    runbook = runbook_of(args)
    args.service_profile = profile_of(args)
    every = scenarios_of(args)
    chosen = scenarios.select(every, args.ids, args.section or [])
    if args.baseline_image and not args.user_api_image:
        raise ConfigError("--baseline-image compares a candidate with it: give the candidate as --user-api-image")
    make_stack = StackChoice(args)
    with engine_session(settings) as session:
        images = list(filter(None, (args.baseline_image, args.user_api_image)))
        for image in images:
            require_image(session, image)
        for image in images if make_stack.project is None else []:
            ensure_drivable(session, image, args.service_profile, runbook)
        run_id, run_dir = new_run_dir()
        run_dir.mkdir(parents=True, exist_ok=True)
        (run_dir / "runbook.md").write_text(runbook.text)  # what the run judged against, for re-rendering
        if args.baseline_image:
            code = release(session, chosen, runbook, args, run_id, run_dir)
        else:
            code = run_and_report(session, chosen, runbook, args.user_api_image, run_dir,
                                  f"runbook-drill run {run_id}", args, make_stack).exit_code()
            point_latest(run_dir)
    return coverage_gate(runbook, every, args.strict_coverage, code)


def coverage_gate(runbook: Runbook, every: list, strict: bool, code: int) -> int:
    """Prints how many checkable runbook lines no scenario of the suite proves (each
    named when there are any); returns the run's exit code - 1 instead of 0 when
    `strict` and there are such lines (a harness error, 3, stays 3)."""
    from harness.report.coverage import uncovered

    gaps = uncovered(runbook, every)
    print(f"coverage: {len(gaps)} checkable runbook line(s) no scenario proves"
          + (" (--strict-coverage: exit 1)" if strict and gaps and code == 0 else ""), flush=True)
    for row in gaps:
        print(f"  L{row.line}: {row.text.strip()}")
    return 1 if strict and gaps and code == 0 else code


def run_and_report(session, chosen, runbook: Runbook, image: str | None, out: Path, title: str, args,
                   make_stack: StackChoice | None = None):
    """Runs the scenarios against `image` (None: the bundled User API) on one stack;
    writes the journals, JUnit XML and report page under `out`; returns the SuiteResult."""
    from harness.report import html, junit
    from harness.run.suite import run_suite
    from scenarios.common import stack_config

    make_stack = make_stack or StackChoice(args)
    against = make_stack.target or image or "the bundled User API"
    print(f"{title}: {len(chosen)} scenario(s) against {against}; runbook {runbook.path}", flush=True)
    profile = getattr(args, "service_profile", None) or profile_of(args)
    result = run_suite(session, chosen, stack_config(image, profile=profile), out / "journal", print_result,
                       make_stack)
    xml = junit.write(result.records, out / "junit.xml")
    if args.junit:
        junit.write(result.records, Path(args.junit))
    page = html.write(result.records, runbook, out / "index.html", f"{title} against {against}")
    counts = result.counts()
    print(f"suite: {counts['passed']} passed, {counts['failed']} failed, {counts['unknown']} unknown, "
          f"{counts['error']} errors in {result.seconds:.0f}s; stack starts: {result.stack_starts}; "
          f"report: {page}; journals: {out / 'journal'}; junit: {args.junit or xml}", flush=True)
    return result


def release(session, chosen, runbook: Runbook, args, run_id: str, run_dir: Path) -> int:
    """Release validation: baseline, then candidate, then the comparison side by side;
    returns the exit code (1: the candidate lost a verdict, 3: a harness error)."""
    from harness.report import compare

    runs = {}
    for label, image in (("baseline", args.baseline_image), ("candidate", args.user_api_image)):
        runs[label] = run_and_report(session, chosen, runbook, image, run_dir / label,
                                     f"runbook-drill run {run_id} {label} ({image})", args)
    point_latest(run_dir)
    rows = compare.compare(runs["baseline"].records, runs["candidate"].records, runbook.value("threshold.p99_ms"))
    text = compare.render(rows)
    (run_dir / "comparison.txt").write_text(text + "\n")
    (run_dir / "comparison.json").write_text(compare.to_json(rows) + "\n")
    print(text)
    print(f"comparison: {run_dir / 'comparison.txt'}")
    if any(run.exit_code() == 3 for run in runs.values()):
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
    run.add_argument("--junit", metavar="PATH", help="also write the JUnit XML here")
    run.add_argument("--seed", type=int, help="seed of the load (default 1)")
    run.add_argument("--strict-coverage", action="store_true",
                     help="exit 1 when a checkable runbook line has no scenario that proves it (see `drill coverage`)")
    add_target_arguments(run)
    add_profile_arguments(run)


COMMANDS = {"run": cmd_run}
