"""`drill gameday ID`: one runbook scenario walked through live, for a team on a game
day. The stack comes up; the runbook section is printed, sub-sections included; then
each phase - steady state, inject, remediation, recovery - waits for Enter (`--auto`:
it does not), takes an observation if one is typed (kept with its time: the day's
record), says what to look at (the API, the load balancer, Prometheus, the live report,
rendered again after every phase) and prints each check's verdict once its phase has
ended. The day ends with gameday.md beside the report. `--plan` prints what would be
done and starts nothing; stop conditions end a fault early (exit 4); Ctrl-C or `drill
abort` from another terminal heals the fault and removes the stack (exit 130)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from runbook_drill.runs import (StackChoice, add_plan_argument, add_profile_arguments, add_scenarios_argument, add_stop_argument, add_target_arguments,
                        engine_session, new_run_dir, point_latest, print_plan, profile_of, runbook_of, scenarios_of)
from runbook_drill.harness import progress, signals
from runbook_drill.harness.run import abort, journal, stops
from runbook_drill.harness.run.journal import ScenarioRecord
from runbook_drill.harness.runbook import Runbook

PHASES = {
    "steady": ("steady state", "the service as it runs: every probe 200, errors and p99 under the thresholds"),
    "fault": ("inject the fault", "the symptoms the runbook lists: probes, error rate, latency, ERROR lines"),
    "remediation": ("remediate", "the runbook's resolution, performed for real"),
    "recovery": ("recovery", "the service served again: the load balancer ready, errors back under the threshold"),
}


class Walkthrough:
    """The game day's PhaseHook: pauses, tells what to watch, prints the verdicts and
    renders the live report after each phase."""

    def __init__(self, runbook: Runbook, report: Path, title: str, auto: bool,
                 ask: Callable[[str], str] = input) -> None:
        self.runbook, self.report, self.title, self.auto, self.ask = runbook, report, title, auto, ask
        self.number, self.history = 0, None

    def attach(self, history) -> None:
        self.history = history

    def before(self, phase: str) -> None:
        self.number += 1
        name, watch = PHASES[phase]
        print(f"\n== phase {self.number}/{len(PHASES)}: {name} - watch {watch}", flush=True)
        if not self.auto:
            try:
                said = self.ask(f"   what you saw, which dashboard, which runbook step (optional), then press Enter "
                                f"to {name} (Ctrl-C stops, heals and cleans up) ")
            except EOFError:  # no more input: carry on as --auto would
                self.auto = True
                return
            if (said or "").strip() and self.history is not None:  # kept with its time: the day's record
                self.history.record("observation", "facilitator", text=said.strip(), before=phase)

    def after(self, phase: str, verdicts: list, snapshot: Callable[[], ScenarioRecord]) -> None:
        from runbook_drill.harness.report import html

        for verdict in verdicts:
            print(f"   {verdict.status.upper():<8} {verdict.check}", flush=True)
        if not verdicts:
            print("   (no check judges this phase by itself)", flush=True)
        html.write([snapshot()], self.runbook, self.report, self.title)
        print(f"   live report updated: {self.report.resolve().as_uri()}", flush=True)


def urls(stack) -> list[str]:
    """Returns the lines naming what a person can open while the scenario runs."""
    lines = [f"   User API (replica 0):  {stack.url(0)}  (/health/live, /health/ready, /metrics)"]
    if stack.lb is not None:
        lines.append(f"   load balancer:         {stack.lb_url()}  (what users reach)")
    if stack.prometheus is not None:
        lines.append(f"   Prometheus:            {stack.prometheus_url()}  (/alerts: the runbook's alert rules)")
    if stack.alertmanager is not None:
        lines.append(f"   Alertmanager:          {stack.alertmanager_url()}  (who is paged)")
    if stack.pager is not None:
        lines.append(f"   pager:                 {stack.pager_url()}/pages  (the primary on-call's pages)")
    return lines


def cmd_gameday(settings, options) -> int:
    """Walks one scenario live; exit 0 passed, 1 deviated, 3 harness error, 4 a stop
    condition ended it, 130 Ctrl-C or the kill switch. The day's record (report and
    gameday.md) is written in every case once the scenario has begun."""
    from runbook_drill import scenarios
    runbook = runbook_of(options)
    scenario = scenarios.select(scenarios_of(options, settings), [options.id], [])[0]
    conditions = stops.for_scenario(runbook, scenario, stops.parse_all(options.stop_when, runbook))
    if options.plan:
        return print_plan([scenario], lambda _: conditions)
    with engine_session(settings) as session:
        run_id, run_dir = new_run_dir()
        title = f"runbook-drill game day {run_id}: {scenario.id}"
        print(f"{title}\n{scenario.title}\n\nThe runbook, section {scenario.runbook!r}:\n")
        print("\n".join(f"   {line}" for line in runbook.section_text(scenario.runbook).splitlines()))
        try:
            _walk(settings, session, options, scenario, conditions, (run_id, run_dir, title, runbook))
        except (signals.Aborted, KeyboardInterrupt):
            _record_the_day(run_dir, scenario.id, runbook, title)  # what was seen, even so
            raise
    return _record_the_day(run_dir, scenario.id, runbook, title)


def _walk(settings, session, options, scenario, conditions, run: tuple[str, Path, str, Runbook]) -> None:
    """Brings the stack up (or attaches) and walks the scenario; its journal is written."""
    from runbook_drill.harness.run.runner import run_scenario
    from runbook_drill.scenarios.common import stack_config

    run_id, run_dir, title, runbook = run
    make_stack = StackChoice(options)
    with make_stack(session, stack_config(options.user_api_image, profile=profile_of(options))) as stack:
        print(f"\n{'Attached to the ' + make_stack.target if make_stack.target else 'The stack is up'}. Open:")
        print("\n".join(urls(stack) + [f"   live report:           {(run_dir / 'index.html').resolve().as_uri()}",
                                       f"   kill switch:           drill abort --run {run_id}  (heals everything, "
                                       "exit 130)"]))
        walk = Walkthrough(runbook, run_dir / "index.html", title, options.auto)
        with abort.running(settings.state_dir, run_id, settings.abort_file), \
                progress.task(f"game day {scenario.id}"):  # its phases' lines name it
            run_scenario(stack, scenario, run_dir / "journal", hook=walk, conditions=conditions)


def _record_the_day(run_dir: Path, scenario_id: str, runbook: Runbook, title: str) -> int:
    """Writes the report and the Markdown summary from the journal, prints the verdicts;
    returns the exit code (3 when no journal was written: the scenario never began)."""
    from runbook_drill.harness.report import gameday, html

    path = run_dir / "journal" / f"{scenario_id}.json"
    if not path.is_file():
        return 3
    record = journal.read(path)
    html.write([record], runbook, run_dir / "index.html", title)
    summary = gameday.write(record, runbook, run_dir / "index.html")
    point_latest(run_dir)
    print(f"\n{record.status.upper()}: {scenario_id}; report {run_dir / 'index.html'}; the day's record {summary}")
    for verdict in record.verdicts:
        print(f"   {verdict.status.upper():<8} {verdict.check}")
    return {"passed": 0, "error": 3, "aborted": 4}.get(record.status, 1)


cmd_gameday.interactive = True  # drill.cli: plain progress lines, no live line under the prompts


def cmd_abort(settings, options) -> int:
    """Pulls the kill switch of the running run or game day (`--run ID`: that one);
    `--list` names the running ones. Exit 0 once asked, 2 when there is none to ask."""
    if options.list:
        for run in abort.live_runs(settings.state_dir):
            print(f"{run['run_id']}  pid {run['pid']}")
        return 0
    for run_id in abort.request(settings.state_dir, options.run):
        print(f"asked run {run_id} to abort: it heals everything and exits 130")
    return 0


COMMANDS = {"gameday": cmd_gameday, "abort": cmd_abort}


def add_parsers(sub) -> None:
    """Adds `gameday` to the `drill` parser."""
    gameday = sub.add_parser("gameday", help="walk one scenario live, phase by phase (a game day)")
    gameday.add_argument("id", metavar="ID", help="the scenario (see `drill list`)")
    gameday.add_argument("--auto", action="store_true", help="do not pause between phases")
    add_plan_argument(gameday)
    add_stop_argument(gameday)
    gameday.add_argument("--user-api-image", metavar="REF", help="run against a candidate image instead")
    gameday.add_argument("--runbook", metavar="PATH", help="judge against another copy of the runbook")
    add_scenarios_argument(gameday)
    add_profile_arguments(gameday)
    add_target_arguments(gameday)
    stop = sub.add_parser("abort", help="the kill switch: the running run or game day heals everything, exits 130")
    stop.add_argument("--run", metavar="ID", help="the run to abort (default: the one running)")
    stop.add_argument("--list", action="store_true", help="name the runs and game days running here")
