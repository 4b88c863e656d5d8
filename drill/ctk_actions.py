"""Chaos Toolkit actions for the local profile of `drill export chaostoolkit`: drill's own
faults and remediations, applied to the compose project through drill's attachment
(`--target compose`), so an exported experiment injects exactly what `drill run` does.

Chaos Toolkit calls these as python activities in one `chaos run` process: `inject`
attaches and keeps the attachment open, `remediate` uses it, `heal` heals and leaves
(which restores the project as compose runs it). Each takes the scenario id; the
compose project comes from the experiment's configuration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

_OPEN: dict[str, tuple[Any, Any, Any]] = {}  # scenario id -> (session, stack, fault)


def sources(runbook, team_paths) -> dict:
    """Returns what an experiment's configuration carries so that these activities build
    the scenario `drill export` saw: a runbook copy and a team's scenario paths
    (absolute; none for the bundled runbook and the built-in suite)."""
    from runbook_drill.harness.runbook import RUNBOOK

    carried = {} if Path(runbook.path).resolve() == RUNBOOK.resolve() else {"drill_runbook": str(Path(runbook.path).resolve())}
    if team_paths:
        carried["drill_scenarios"] = [str(Path(p).resolve()) for p in team_paths]
    return carried


def scenario_for(scenario_id: str, configuration: dict | None = None):
    """Returns the scenario `scenario_id`, built from the runbook and a team's scenario
    paths the experiment's configuration carries (see `sources`)."""
    from runbook_drill import scenarios
    from runbook_drill.harness.runbook import RUNBOOK, load

    configuration = configuration or {}
    runbook = load(configuration.get("drill_runbook") or RUNBOOK)
    built = scenarios.build(runbook, extensions=configuration.get("drill_scenarios", ()))
    return scenarios.select(built, [scenario_id], [])[0]


def inject(scenario_id: str, configuration: dict | None = None) -> dict:
    """Attaches to the compose project and injects the scenario's fault; returns its evidence."""
    from runbook_drill.harness.stack.compose import ComposeStack
    from runbook_drill.harness.engine.session import begin
    from runbook_drill.harness.settings import load_settings
    from runbook_drill.scenarios.common import stack_config

    project = (configuration or {}).get("compose_project", "runbook-drill")
    session = begin(load_settings())
    stack = ComposeStack(session, stack_config(), project).__enter__()
    fault = scenario_for(scenario_id, configuration).fault()
    _OPEN[scenario_id] = (session, stack, fault)
    return fault.inject(stack)


def remediate(scenario_id: str, configuration: dict | None = None) -> str:
    """Performs the scenario's remediation (the runbook's) on the attached project."""
    from runbook_drill.harness.run.runner import call_step

    _, stack, fault = _OPEN[scenario_id]
    scenario = scenario_for(scenario_id, configuration)
    if scenario.heal_first:
        fault.heal(stack)
    call_step(scenario.remediation, stack, fault)
    return scenario.remediation_name


def heal(scenario_id: str, configuration: dict | None = None) -> bool:
    """Heals the fault and leaves the project as compose runs it; True when it was open."""
    if scenario_id not in _OPEN:
        return False
    session, stack, fault = _OPEN.pop(scenario_id)
    try:
        fault.heal(stack)
    finally:
        stack.__exit__(None, None, None)
        session.close()
    return True
