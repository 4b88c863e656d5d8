"""Runs scenarios as a suite: one stack for the whole run (reset between scenarios, so
each starts from the same baseline), a journal per scenario, one result line per
scenario as it ends. The stack is whatever `stack_class` makes: started or attached."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from harness import progress
from harness.run.runner import run_scenario
from harness.run.scenario import Scenario
from harness.stack import Stack, StackConfig


@dataclass
class SuiteResult:
    """What a suite run gives: the journal record of every scenario, the stack starts."""

    records: list[dict] = field(default_factory=list)
    stack_starts: int = 0
    seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        """Returns how many scenarios ended passed, failed, unknown and error."""
        return {status: sum(r["status"] == status for r in self.records)
                for status in ("passed", "failed", "unknown", "error")}

    def exit_code(self) -> int:
        """0 all passed; 1 any failed or unknown; 3 any harness error (and nothing failed)."""
        statuses = {r["status"] for r in self.records}
        if statuses & {"failed", "unknown"}:
            return 1
        return 3 if "error" in statuses else 0


def deciding(record: dict) -> str:
    """Returns the evidence that decided a scenario that did not pass, in one line."""
    if record["status"] == "error":
        return record["error"].splitlines()[0][:300] if record["error"] else "harness error"
    for verdict in record["verdicts"]:
        if verdict["status"] != "pass":
            evidence = {k: v for k, v in verdict["evidence"].items() if k not in ("window",)}
            return f"{verdict['check']} [{verdict['status']}] {evidence}"[:400]
    return ""


def run_suite(session, scenarios: list[Scenario], config: StackConfig, journal_dir: Path,
              on_result: Callable[[dict], None] = lambda record: None,
              stack_class: Callable[..., Stack] = Stack) -> SuiteResult:
    """Starts the stack once (`stack_class(session, config)`: the harness's own, or a
    compose project attached) and runs `scenarios` in order; returns their records."""
    result, started, reporter = SuiteResult(), time.monotonic(), progress.current()
    with contextlib.ExitStack() as started_stack:
        with progress.task("stack", "starting"):
            stack = started_stack.enter_context(stack_class(session, config))
        result.stack_starts += 1
        for index, scenario in enumerate(scenarios):
            reporter.begin(f"scenario {index + 1}/{len(scenarios)} {scenario.id}", "reset" if index else "")
            if index:
                stack.reset()
            record = run_scenario(stack, scenario, journal_dir)
            reporter.end(record["status"])
            record["seconds"] = round(record["end"] - record["start"], 2)
            result.records.append(record)
            on_result(record)
    result.seconds = time.monotonic() - started
    return result
