"""`drill mutate [IDS]`: the suite's detection power. Every mutant (mutants/*.patch: one
realistic defect in the User API, the runbook line it violates, the scenarios that must
catch it) is built as an image; on one stack the reference build runs every scenario
any chosen mutant names (each must pass: a failure there is a false alarm), then each
mutant is deployed in turn and runs its scenarios - cheapest first, stopping at the
first that catches it for its documented reason (`--all-scenarios`: every one). The
kill matrix (mutant x scenario, the failing checks and their evidence, the score) is
written as reports/<run>/matrix.html and matrix.json, beside every journal.

Exit 0: every mutant killed and no false alarm; 1: a survivor or a false alarm;
2: bad input (an unknown id, a patch that no longer applies), nothing started."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

from runbook_drill.runs import add_scenarios_argument, engine_session, new_run_dir, point_latest, runbook_of, scenarios_of
from runbook_drill.harness import progress
from runbook_drill.harness.errors import HarnessError
from runbook_drill.harness.run.journal import ScenarioRecord


# A replica of the reference build is ready in ~2 s here: a mutant's replicas not ready
# in 20 s never will be (the bundled stack's 60 s is for a cold machine's first start).
ROLLOUT_TIMEOUT_S = 20.0


def _catalogue(settings, options):
    """Returns (chosen mutants, scenarios by id); raises ConfigError for bad input (an
    unknown id, a bad header, a patch that no longer applies)."""
    from runbook_drill.harness.mutation import build, catalog

    by_id = {s.id: s for s in scenarios_of(options, settings)}
    mutants = catalog.load(runbook_of(options), Path(options.mutants) if options.mutants else catalog.MUTANTS_DIR, set(by_id))
    chosen = catalog.choose(mutants, options.ids)
    for mutant in chosen:
        build.check_applies(mutant)
    return chosen, by_id


def _build_all(session, mutants) -> dict[str, str]:
    """Builds (or finds) every mutant's image before anything runs; returns id -> tag."""
    from runbook_drill.harness.mutation import build

    tags = {}
    for mutant in mutants:
        started = time.monotonic()
        with progress.task(f"mutant {mutant.id}", "image"):
            tags[mutant.id], built = build.build(session.images, mutant)
        print(f"image    {mutant.id:<34} {'built' if built else 'cached'} in {time.monotonic() - started:.1f}s",
              flush=True)
    return tags


def _run(stack, scenario, out: Path) -> ScenarioRecord:
    from runbook_drill.harness.run.runner import run_scenario

    with progress.task(f"{out.parent.name}: {scenario.id}", "reset"):
        stack.reset()
        return run_scenario(stack, scenario, out)


def _mutant_row(stack, mutant, tag: str, by_id: dict, out: Path, every: bool):
    """Deploys the mutant, runs its scenarios, returns its matrix row."""
    from runbook_drill.harness.mutation.matrix import KILLED, Row, cell, rollout_cell

    row, started = Row(mutant.id, mutant.line, mutant.defect, mutant.reason, tag, way=mutant.way), time.monotonic()
    try:
        with progress.task(f"mutant {mutant.id}", "deploy"):
            stack.use_user_api_image(tag, startup_timeout=ROLLOUT_TIMEOUT_S)
    except (HarnessError, TimeoutError) as exc:  # its replicas never became ready: a rollout would stop
        row.cells.append(rollout_cell(mutant, ROLLOUT_TIMEOUT_S, str(exc).splitlines()[0][:300]))
    for sid in [] if row.cells else mutant.caught_by:
        row.cells.append(cell(mutant, _run(stack, by_id[sid], out / mutant.id / "journal")))
        if row.cells[-1].outcome == KILLED and not every:
            break
    row.seconds = time.monotonic() - started
    return row


def _print_row(row) -> None:
    from runbook_drill.harness.checks.margins import Margin

    cells = ", ".join(f"{c.scenario}: {c.outcome}" for c in row.cells)
    margin = row.margin and Margin.from_json(row.margin)
    verdict = "SURVIVED" if not row.killed else "WEAK" if row.weak else "KILLED"
    shown = f"; margin {margin.describe()}" if margin else ""
    print(f"{verdict:<8} {row.mutant:<34} {row.seconds:6.1f}s  {cells}{shown}", flush=True)


def run_matrix(session, mutants, tags: dict[str, str], by_id: dict, out: Path, every: bool = False):
    """Runs the reference build, then every mutant, on one stack; returns the Matrix."""
    from runbook_drill.harness.stack import Stack
    from runbook_drill.harness.mutation.matrix import Matrix
    from runbook_drill.scenarios.common import stack_config

    started = time.monotonic()
    wanted = list(dict.fromkeys(sid for m in mutants for sid in m.caught_by))
    matrix = Matrix(rows=[], reference={})
    with contextlib.ExitStack() as started_stack:
        with progress.task("stack", "starting"):
            stack = started_stack.enter_context(Stack(session, stack_config()))
        for sid in wanted:
            matrix.reference[sid] = _run(stack, by_id[sid], out / "reference" / "journal").status
            print(f"{matrix.reference[sid].upper():<8} reference {sid}", flush=True)
        for mutant in mutants:
            matrix.rows.append(_mutant_row(stack, mutant, tags[mutant.id], by_id, out, every))
            _print_row(matrix.rows[-1])
    matrix.seconds = time.monotonic() - started
    return matrix


def cmd_mutate(settings, options) -> int:
    """Builds the chosen mutants, runs the matrix, writes it; see the module docstring."""
    from runbook_drill.harness.report import mutation

    mutants, by_id = _catalogue(settings, options)
    with engine_session(settings) as session:
        tags = _build_all(session, mutants)
        run_id, run_dir = new_run_dir()
        run_dir.mkdir(parents=True, exist_ok=True)
        matrix = run_matrix(session, mutants, tags, by_id, run_dir, options.all_scenarios)
    page, data = mutation.write(matrix, run_dir, f"runbook-drill mutate {run_id}")
    point_latest(run_dir)
    killed = sum(row.killed for row in matrix.rows)
    print(f"mutation: {killed}/{len(matrix.rows)} killed ({matrix.score:.0%}); survivors: "
          f"{', '.join(matrix.survivors()) or 'none'}; weak: {', '.join(matrix.weak()) or 'none'}; "
          f"false alarms: {', '.join(matrix.false_alarms) or 'none'}; "
          f"in {matrix.seconds:.0f}s; matrix: {page} ({data})", flush=True)
    return 0 if matrix.sound() else 1


COMMANDS = {"mutate": cmd_mutate}


def add_parsers(sub) -> None:
    """Adds `mutate` to the `drill` parser."""
    mutate = sub.add_parser("mutate", help="the kill matrix: User API builds with one defect each, caught or not")
    mutate.add_argument("ids", nargs="*", metavar="ID", help="mutant ids (mutants/<id>.patch; default: all)")
    mutate.add_argument("--all-scenarios", action="store_true",
                        help="run every scenario a mutant names, not only until the first catches it")
    mutate.add_argument("--mutants", metavar="DIR", help="another directory of mutants (default: mutants/)")
    mutate.add_argument("--runbook", metavar="PATH", help="judge against another copy of the runbook")
    add_scenarios_argument(mutate)
