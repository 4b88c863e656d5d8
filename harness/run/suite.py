"""Runs scenarios as a suite: one stack for the whole run (reset between scenarios, so
each starts from the same baseline), a journal per scenario, one result line per
scenario as it ends. The stack is whatever `stack_class` makes: started or attached.

The flake policy (`reruns`): a failed or unknown scenario is run again, on a fresh
reset, up to `reruns` times; one that then passes is **flaky** - never passed - with
every earlier attempt's journal kept under journal/attempts/. A harness error is not
rerun: it is not a verdict of the service."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from runbook_drill.harness import progress
from runbook_drill.harness.run import journal
from runbook_drill.harness.run.journal import ScenarioRecord
from runbook_drill.harness.run.runner import run_scenario
from runbook_drill.harness.run.scenario import Scenario
from runbook_drill.harness.stack import Stack, StackConfig


STATUSES = ("passed", "flaky", "failed", "unknown", "aborted", "error")  # a scenario's verdicts, as every reader counts them
RERUN = ("failed", "unknown")  # the verdicts --rerun-failed runs again


def counts(records: list[ScenarioRecord]) -> dict[str, int]:
    """Returns how many of the records ended in each verdict of STATUSES."""
    return {status: sum(r.status == status for r in records) for status in STATUSES}


def exit_code(records: list[ScenarioRecord], flaky_is_ok: bool = False) -> int:
    """0 all passed; 1 any failed or unknown, or flaky (unless `flaky_is_ok`); 4 any
    aborted by a stop condition (and nothing failed); 3 any harness error (and nothing
    failed or aborted)."""
    statuses = {r.status for r in records}
    if statuses & {"failed", "unknown"} or ("flaky" in statuses and not flaky_is_ok):
        return 1
    return 4 if "aborted" in statuses else 3 if "error" in statuses else 0


@dataclass
class SuiteResult:
    """What a suite run gives: the journal record of every scenario, the stack starts."""

    records: list[ScenarioRecord] = field(default_factory=list)
    stack_starts: int = 0
    seconds: float = 0.0
    flaky_is_ok: bool = False
    alert_matrix: Any = None  # harness.alerts.matrix.Matrix, once the run is reported

    def counts(self) -> dict[str, int]:
        """Returns how many scenarios ended in each verdict (STATUSES)."""
        return counts(self.records)

    def exit_code(self) -> int:
        """The run's exit code (see `exit_code`)."""
        return exit_code(self.records, self.flaky_is_ok)


def deciding(record: ScenarioRecord) -> str:
    """Returns the evidence that decided a scenario that did not pass, in one line."""
    if record.status in ("error", "aborted"):
        return record.error.splitlines()[0][:300] if record.error else record.status
    if record.status == "flaky":
        first = record.attempts[0]
        return f"attempt 1 {first['status']}: {first['deciding']}"[:400]
    for verdict in record.failing():
        evidence = {k: v for k, v in verdict.evidence.items() if k not in ("window",)}
        return f"{verdict.check} [{verdict.status}] {evidence}"[:400]
    return ""


def marginal(record: ScenarioRecord) -> list:
    """Returns the margins (checks.margins.Margin) of the scenario's passes that sat
    near their bounds - the next flake, seen before it happens."""
    from runbook_drill.harness.checks import margins

    return margins.marginal(record.verdicts)


def said(record: ScenarioRecord) -> str:
    """Returns what a result line says after the verdict: the deciding evidence of a
    scenario that did not pass, or the marginal passes of one that did ("" when neither)."""
    return deciding(record) or "; ".join(f"marginal: {m.check}: {m.describe()}" for m in marginal(record))


def _keep_attempt(journal_dir: Path, record: ScenarioRecord, attempt: int) -> str:
    """Moves a scenario's journal to journal/attempts/<id>.<attempt>.json (a rerun writes
    its own); returns that path, relative to `journal_dir`."""
    kept = Path("attempts") / f"{record.scenario}.{attempt}.json"
    (journal_dir / kept.parent).mkdir(parents=True, exist_ok=True)
    (journal_dir / f"{record.scenario}.json").replace(journal_dir / kept)
    return str(kept)


def rerun(stack, scenario: Scenario, journal_dir: Path, record: ScenarioRecord, reruns: int,
          conditions=()) -> ScenarioRecord:
    """Runs a failed or unknown scenario again on a fresh reset, up to `reruns` times,
    until it passes; returns the last record - flaky if a rerun passed - with the earlier
    attempts listed (their verdict, deciding evidence and kept journal)."""
    attempts = []
    while record.status in RERUN and len(attempts) < reruns:
        kept = _keep_attempt(journal_dir, record, len(attempts) + 1)
        attempts.append({"attempt": len(attempts) + 1, "status": record.status, "deciding": deciding(record),
                         "journal": kept, "start": record.start, "end": record.end})
        progress.current().end(f"{record.status}; running it again")
        progress.current().begin(f"rerun {len(attempts)}/{reruns} {scenario.id}", "reset")
        stack.reset()
        record = run_scenario(stack, scenario, journal_dir, conditions=conditions)
    if not attempts:
        return record
    status = "flaky" if record.status == "passed" else record.status
    return journal.write(journal_dir, replace(record, status=status, attempts=attempts))


def run_suite(session, scenarios: list[Scenario], config: StackConfig, journal_dir: Path,
              on_result: Callable[[ScenarioRecord], None] = lambda record: None,
              stack_class: Callable[..., Stack] = Stack, reruns: int = 0,
              stops_for: Callable[[Scenario], list] = lambda scenario: [], repeat: int = 1) -> SuiteResult:
    """Starts the stack once (`stack_class(session, config)`: the harness's own, or a
    compose project attached) and runs `scenarios` in order, each failed or unknown one
    again up to `reruns` times, each under its stop conditions (`stops_for`); returns
    their records. With `repeat` > 1 the whole list runs that many times on the same
    stack, repetition K's journals under journal_dir/repeat-K/ (each record says its
    `repetition`)."""
    result, started, reporter = SuiteResult(), time.monotonic(), progress.current()
    runs = [(rep, scenario) for rep in range(1, repeat + 1) for scenario in scenarios]
    with contextlib.ExitStack() as started_stack:
        with progress.task("stack", "starting"):
            stack = started_stack.enter_context(stack_class(session, config))
        result.stack_starts += 1
        for index, (rep, scenario) in enumerate(runs):
            again = f" (repetition {rep}/{repeat})" if repeat > 1 else ""
            reporter.begin(f"scenario {index + 1}/{len(runs)} {scenario.id}{again}", "reset" if index else "")
            if index:
                stack.reset()
            conditions, where = stops_for(scenario), journal_dir / f"repeat-{rep}" if repeat > 1 else journal_dir
            record = rerun(stack, scenario, where, run_scenario(stack, scenario, where, conditions=conditions),
                           reruns, conditions)
            reporter.end(record.status)
            record.seconds = round(record.end - record.start, 2)
            if repeat > 1:
                record.repetition = rep
            result.records.append(record)
            on_result(record)
    result.seconds = time.monotonic() - started
    return result
