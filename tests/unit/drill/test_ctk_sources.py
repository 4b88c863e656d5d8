"""A team's scenario exported to Chaos Toolkit: the experiment carries the runbook copy and
the scenario paths, and drill's activities build that same scenario from them."""

import json
from pathlib import Path

from runbook_drill import ctk_actions
from runbook_drill.cli import main
from runbook_drill.harness.runbook import RUNBOOK, Runbook

TEAM = Path(__file__).resolve().parents[3] / "examples" / "team-scenarios"


def test_the_bundled_runbook_and_suite_carry_nothing():
    assert ctk_actions.sources(Runbook(RUNBOOK), ()) == {}


def test_an_exported_team_scenario_is_built_again_from_its_experiments_configuration(tmp_path):
    assert main(["export", "chaostoolkit", "incident-db-restart-heals-itself", "--out", str(tmp_path),
                 "--runbook", str(TEAM / "runbook.md"), "--scenarios", str(TEAM)]) == 0
    configuration = json.loads((tmp_path / "incident-db-restart-heals-itself.json").read_text())["configuration"]
    assert configuration["drill_runbook"] == str((TEAM / "runbook.md").resolve())
    assert configuration["drill_scenarios"] == [str(TEAM.resolve())]
    scenario = ctk_actions.scenario_for("incident-db-restart-heals-itself", configuration)
    assert scenario.fault().kind == "db_restart" and scenario.origin.endswith("db-restart-heals-itself.toml")
