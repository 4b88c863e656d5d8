"""`drill`, complete: the harness's commands (setup, images, clean, smoke, doctor) plus
the runbook suite's - list, run, gameday, report, coverage, build. This module sits on top of the layers:
harness/ itself never imports scenarios/ or load/.

Everything a run needs is checked before anything starts - the runbook parsed (drift is
exit 2, naming the text), the ids and sections known, a candidate image present - so
bad input leaves nothing behind."""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from harness.errors import ConfigError
from harness.runbook import RUNBOOK, Runbook
from scenarios import gameday, mutate

REPORTS_DIR = Path("reports")


def runbook_of(args) -> Runbook:
    """Returns the runbook a command judges by: --runbook PATH, or the bundled one."""
    return Runbook(Path(args.runbook) if getattr(args, "runbook", None) else RUNBOOK)


def scenarios_of(args):
    """Returns every scenario, built from the command's runbook (drift raises RunbookError)."""
    import scenarios

    return scenarios.build(runbook_of(args), seed=getattr(args, "seed", None) or 1)


def cmd_list(settings, args) -> int:
    """Prints one line per scenario: id, runbook section, title."""
    for scenario in scenarios_of(args):
        print(f"{scenario.id:<34} {scenario.runbook:<30} {scenario.title}")
    return 0


def cmd_coverage(settings, args) -> int:
    """Prints every runbook line with what proves it, or why a machine cannot."""
    from harness.report import coverage

    print(coverage.render(coverage.rows(runbook_of(args), scenarios_of(args))))
    return 0


def cmd_alerts(settings, args) -> int:
    """Prints the runbook's alert rules, or writes them with Alertmanager's routing to --out."""
    from harness.alerts import routing, rules

    runbook = runbook_of(args)
    profile = rules.PROFILES[args.profile]
    text = rules.render(runbook, profile, args.runbook_url or rules.RUNBOOK_URL)
    if not args.out:
        print(text, end="")
        return 0
    out = Path(args.out)
    if not out.is_dir():
        raise ConfigError(f"--out {out}: no such directory")
    (out / "runbook-alerts.yml").write_text(text)
    (out / "alertmanager.yml").write_text(routing.render(runbook, profile))
    print(f"wrote {out / 'runbook-alerts.yml'} and {out / 'alertmanager.yml'} ({profile.name} profile)")
    return 0


def cmd_export(settings, args) -> int:
    """Writes one Chaos Toolkit experiment per chosen scenario into --out."""
    import json

    import scenarios
    from harness.export import chaostoolkit

    runbook = runbook_of(args)
    chosen = scenarios.select(scenarios_of(args), args.ids, [])
    experiments = {s.id: chaostoolkit.experiment(s, runbook, args.profile) for s in chosen}
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out} is not a directory")
    out.mkdir(parents=True, exist_ok=True)
    for sid, experiment in experiments.items():
        (out / f"{sid}.json").write_text(json.dumps(experiment, indent=2) + "\n")
    print(f"{len(experiments)} Chaos Toolkit experiment(s), {args.profile} profile, in {out}/ "
          f"(chaos validate {out}/<id>.json; chaos run ...)")
    return 0


def cmd_build(settings, args) -> int:
    """Builds a User API image from a source tree (default: this checkout)."""
    from harness.engine.daemon import ensure_engine
    from harness.engine.images import build_user_api
    from harness.engine.session import begin

    if args.what != "user-api":
        raise ConfigError(f"drill build: can build 'user-api', not {args.what!r}")
    source = Path(args.source or Path(__file__).resolve().parent.parent)
    if not source.is_dir():
        raise ConfigError(f"--source {source}: no such directory")
    ensure_engine(settings)
    session = begin(settings)
    try:
        started = time.monotonic()
        build_user_api(session.images, source, args.tag)
    finally:
        session.close()
    print(f"built {args.tag} from {source} in {time.monotonic() - started:.1f}s")
    return 0


class StackChoice:
    """How a command gets its stack: started by the harness, or a compose project
    attached (--target compose); `target` says which, for the first line of a run."""

    def __init__(self, args) -> None:
        """Raises ConfigError for options a compose project cannot honour."""
        self.project = None
        if getattr(args, "target", "harness") == "compose":
            from harness.engine.compose import DEFAULT_PROJECT

            for option in ("user_api_image", "baseline_image"):
                if getattr(args, option, None):
                    raise ConfigError(f"--{option.replace('_', '-')} does not go with --target compose: the project "
                                      "runs its USER_API_IMAGE (set it in .env and `drill compose up`)")
            self.project = args.compose_project or os.environ.get("COMPOSE_PROJECT_NAME") or DEFAULT_PROJECT

    @property
    def target(self) -> str | None:
        return f"compose project {self.project}" if self.project else None

    def __call__(self, session, config):
        """Returns the unstarted stack (a context manager)."""
        from harness.chaos.compose import ComposeStack
        from harness.chaos.stack import Stack

        return ComposeStack(session, config, self.project) if self.project else Stack(session, config)


def add_target_arguments(parser) -> None:
    """Adds --target and --compose-project to a command that runs scenarios."""
    parser.add_argument("--target", choices=["harness", "compose"], default="harness",
                        help="harness: start a stack for the run (default); compose: attach to the project "
                             "docker-compose keeps up (`drill compose up`)")
    parser.add_argument("--compose-project", metavar="NAME",
                        help="with --target compose: the project (default $COMPOSE_PROJECT_NAME, else runbook-drill)")


def _image_exists(session, ref: str) -> None:
    import docker.errors

    try:
        session.client.images.get(ref)
    except docker.errors.ImageNotFound:
        raise ConfigError(f"--user-api-image {ref}: no such image (build one with `drill build user-api "
                          f"--tag {ref}`)") from None


def new_run_dir() -> tuple[str, Path]:
    """Returns (run id, reports/<run id>) for a new run; the directory is not made yet."""
    run_id = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}"
    return run_id, REPORTS_DIR / run_id


def point_latest(run_dir: Path) -> None:
    """Points reports/latest at `run_dir`."""
    latest = REPORTS_DIR / "latest"
    if latest.is_symlink() or latest.exists():
        latest.unlink()
    latest.symlink_to(run_dir.name)


def _print_result(record: dict) -> None:
    from scenarios.suite import deciding

    line = f"{record['status'].upper():<8} {record['scenario']:<34} {record['seconds']:6.1f}s"
    why = deciding(record)
    print(f"{line}  {why}" if why else line, flush=True)


def cmd_run(settings, args) -> int:
    """Runs the suite (or the chosen scenarios); exit 0 passed, 1 deviated, 3 harness
    error. With --baseline-image: the suite against the baseline, then the candidate,
    and the comparison; exit 1 if the candidate lost a verdict the baseline had."""
    import scenarios
    from harness.engine.daemon import ensure_engine
    from harness.engine.session import begin

    runbook = runbook_of(args)
    chosen = scenarios.select(scenarios_of(args), args.ids, args.section or [])
    if args.baseline_image and not args.user_api_image:
        raise ConfigError("--baseline-image compares a candidate with it: give the candidate as --user-api-image")
    make_stack = StackChoice(args)
    ensure_engine(settings)
    session = begin(settings)
    try:
        for image in filter(None, (args.baseline_image, args.user_api_image)):
            _image_exists(session, image)
        run_id, run_dir = new_run_dir()
        run_dir.mkdir(parents=True, exist_ok=True)
        (run_dir / "runbook.md").write_text(runbook.text)  # what the run judged against, for re-rendering
        if args.baseline_image:
            return _release(session, chosen, runbook, args, run_id, run_dir)
        result = _suite(session, chosen, runbook, args.user_api_image, run_dir, f"runbook-drill run {run_id}", args,
                        make_stack)
    finally:
        session.close()
    point_latest(run_dir)
    return result.exit_code()


def _suite(session, chosen, runbook: Runbook, image: str | None, out: Path, title: str, args, make_stack=None):
    """Runs the scenarios against `image` (None: the bundled User API) on one stack
    (`make_stack`: a StackChoice); writes the journals, JUnit XML and report page
    under `out`; returns the result."""
    from harness.report import html, junit
    from scenarios.common import stack_config
    from scenarios.suite import run_suite

    make_stack = make_stack or StackChoice(args)
    against = make_stack.target or image or "the bundled User API"
    print(f"{title}: {len(chosen)} scenario(s) against {against}; runbook {runbook.path}", flush=True)
    result = run_suite(session, chosen, stack_config(image), out / "journal", _print_result, make_stack)
    xml = junit.write(result.records, out / "junit.xml")
    if args.junit:
        junit.write(result.records, Path(args.junit))
    page = html.write(result.records, runbook, out / "index.html", f"{title} against {against}")
    counts = {s: sum(r["status"] == s for r in result.records) for s in ("passed", "failed", "unknown", "error")}
    print(f"suite: {counts['passed']} passed, {counts['failed']} failed, {counts['unknown']} unknown, "
          f"{counts['error']} errors in {result.seconds:.0f}s; stack starts: {result.stack_starts}; "
          f"report: {page}; journals: {out / 'journal'}; junit: {args.junit or xml}", flush=True)
    return result


def _release(session, chosen, runbook: Runbook, args, run_id: str, run_dir: Path) -> int:
    """Release validation: baseline, then candidate, then the comparison side by side."""
    from harness.report import compare

    runs = {}
    for label, image in (("baseline", args.baseline_image), ("candidate", args.user_api_image)):
        runs[label] = _suite(session, chosen, runbook, image, run_dir / label, f"runbook-drill run {run_id} "
                             f"{label} ({image})", args)
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


def cmd_report(settings, args) -> int:
    """Renders the report page again from stored journals (no engine needed)."""
    from harness.report import html

    journals = Path(args.journals)
    records = html.load_journals(journals) if journals.is_dir() else []
    if not records:
        raise ConfigError(f"drill report: {journals} holds no scenario journals (*.json)")
    kept = journals.parent / "runbook.md"
    runbook = Runbook(Path(args.runbook) if args.runbook else kept if kept.is_file() else RUNBOOK)
    out = Path(args.out) if args.out else journals.parent / "index.html"
    html.write(records, runbook, out, f"runbook-drill run {journals.resolve().parent.name}")
    print(f"report: {out} ({len(records)} scenarios)")
    return 0


def add_parsers(sub) -> None:
    """Adds list, run, coverage and build to the `drill` parser."""
    listing = sub.add_parser("list", help="the scenarios: id, runbook section, title")
    listing.add_argument("--runbook", help="another copy of the runbook (default: runbook/user-api-runbook.md)")
    run = sub.add_parser("run", help="the runbook suite (no ids: every scenario)")
    run.add_argument("ids", nargs="*", metavar="ID", help="scenario ids (see `drill list`)")
    run.add_argument("--section", action="append", metavar="TEXT", help="scenarios of runbook sections matching TEXT")
    run.add_argument("--user-api-image", metavar="REF", help="run against a candidate image instead")
    run.add_argument("--baseline-image", metavar="REF",
                     help="release validation: run the baseline (the last release) too, and compare")
    run.add_argument("--runbook", metavar="PATH", help="judge against another copy of the runbook")
    run.add_argument("--junit", metavar="PATH", help="also write the JUnit XML here")
    run.add_argument("--seed", type=int, help="seed of the load (default 1)")
    add_target_arguments(run)
    gameday.add_parser(sub)
    mutate.add_parser(sub)
    report = sub.add_parser("report", help="render the HTML report again from stored journals")
    report.add_argument("journals", metavar="JOURNAL_DIR", help="a run's journal directory (reports/<run>/journal)")
    report.add_argument("--runbook", metavar="PATH", help="the runbook to show (default: the run's own copy)")
    report.add_argument("--out", metavar="FILE", help="where to write the page (default: beside the journals)")
    coverage = sub.add_parser("coverage", help="every runbook line -> the scenarios that prove it, or why not")
    coverage.add_argument("--runbook", metavar="PATH", help="another copy of the runbook")
    alerts = sub.add_parser("alerts", help="the runbook's Quick Response sections as Prometheus alert rules")
    alerts.add_argument("--profile", choices=["production", "test"], default="production",
                        help="production: 5-minute windows; test: seconds, as the suite's stack runs them")
    alerts.add_argument("--runbook", metavar="PATH", help="another copy of the runbook")
    alerts.add_argument("--runbook-url", metavar="URL", help="where the on-call reads the runbook (runbook_url)")
    alerts.add_argument("--out", metavar="DIR", help="write runbook-alerts.yml and alertmanager.yml there")
    export = sub.add_parser("export", help="the scenarios as experiments of another engine (Chaos Toolkit)")
    export.add_argument("engine", choices=["chaostoolkit"])
    export.add_argument("ids", nargs="*", metavar="ID", help="scenario ids (default: all)")
    export.add_argument("--out", required=True, metavar="DIR", help="where to write <id>.json")
    export.add_argument("--profile", choices=["local", "kubernetes"], default="local",
                        help="local: the compose stack on this host; kubernetes: a cluster (see the README)")
    export.add_argument("--runbook", metavar="PATH", help="another copy of the runbook")
    build = sub.add_parser("build", help="build a User API image from a source tree (a candidate)")
    build.add_argument("what", choices=["user-api"])
    build.add_argument("--source", metavar="DIR", help="a tree laid out like this repository (default: this one)")
    build.add_argument("--tag", required=True, metavar="REF", help="the image reference to build")


COMMANDS = {"export": cmd_export, "alerts": cmd_alerts, "list": cmd_list, "run": cmd_run, "coverage": cmd_coverage, "build": cmd_build, "report": cmd_report,
            "gameday": gameday.cmd_gameday, "mutate": mutate.cmd_mutate}


def main(argv: list[str] | None = None) -> int:
    """Entry point of `drill`; returns the process exit code."""
    from harness import cli

    return cli.main(argv, extra_parsers=add_parsers, extra_commands=COMMANDS)


if __name__ == "__main__":
    sys.exit(main())
