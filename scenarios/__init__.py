"""The runbook suite: one module per runbook section, each a list of declarative
scenarios built from the runbook's values (so `--runbook PATH` changes what is judged)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from runbook_drill.harness.errors import ConfigError
from runbook_drill.harness.runbook import Runbook
from runbook_drill.harness.run.scenario import Scenario
from runbook_drill.scenarios import (authentication, database, health_checks, high_error_rate, high_latency, incidents, memory,
                       metrics, service_down)
from runbook_drill.scenarios.common import Oracle

MODULES = (health_checks, service_down, high_error_rate, high_latency, database, authentication, memory, metrics,
           incidents)


def build(runbook: Runbook, seed: int = 1, extensions: Iterable[Path | str] = (),
          entry_points: bool = True, dashboard: dict | None = None) -> list[Scenario]:
    """Returns every scenario - the built-in ones in runbook order, then a team's (from
    `extensions`: files and directories, and the installed entry points; see
    scenarios/extensions.py) - each load seeded with `seed`; `dashboard`: the Grafana
    dashboard (JSON model) to judge, None for the runbook's generated one. Raises
    RunbookError on drift, ConfigError (every error one line) for a bad team scenario."""
    from runbook_drill.scenarios import extensions as team

    additions = team.load([Path(p) for p in extensions], entry_points)  # registers their faults and checks first
    oracle = Oracle(runbook, dashboard)
    built = [scenario for module in MODULES for scenario in module.scenarios(oracle)]
    built += team.built(additions, oracle, {s.id: "built-in" for s in built})
    for scenario in built:
        scenario.proves = list(dict.fromkeys(scenario.proves))  # one anchor may back two claims
        scenario.warm_when = scenario.warm_when or oracle.settled()
        if hasattr(scenario.load, "seed"):
            scenario.load.seed = seed
    return built


def select(all_scenarios: list[Scenario], ids: list[str], sections: list[str]) -> list[Scenario]:
    """Returns the scenarios named by id or whose section contains one of `sections`
    (none given: all). Raises ConfigError naming an unknown id or a section that matches
    nothing."""
    known = {s.id for s in all_scenarios}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise ConfigError(f"unknown scenario {unknown[0]!r}; see `drill list`")
    for section in sections:
        if not any(section.lower() in s.runbook.lower() for s in all_scenarios):
            raise ConfigError(f"no scenario in a runbook section matching {section!r}; see `drill list`")
    if not ids and not sections:
        return list(all_scenarios)
    return [s for s in all_scenarios
            if s.id in ids or any(section.lower() in s.runbook.lower() for section in sections)]
