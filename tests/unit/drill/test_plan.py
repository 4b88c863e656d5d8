"""`drill run --plan` and `drill gameday ID --plan`: what would be done, printed with no
engine asked anything (the engine named here does not exist)."""

from runbook_drill import scenarios
from runbook_drill.cli import main
from runbook_drill.harness.runbook import RUNBOOK, Runbook


def _no_engine(monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    monkeypatch.setenv("DRILL_CONFIG", str(tmp_path / "none.toml"))


def test_the_plan_of_the_whole_suite_names_every_scenario_and_starts_nothing(monkeypatch, tmp_path, capsys):
    _no_engine(monkeypatch, tmp_path)
    assert main(["run", "--plan"]) == 0
    out = capsys.readouterr().out
    for scenario in scenarios.build(Runbook(RUNBOOK)):
        assert f"\n{scenario.id} ({scenario.runbook}): " in "\n" + out, scenario.id
    assert out.count("blast radius: ") >= 33 and out.rstrip().endswith("nothing was started")


def test_a_game_days_plan_names_the_proxy_it_touches_and_how_long_it_stays_broken(monkeypatch, tmp_path, capsys):
    _no_engine(monkeypatch, tmp_path)
    assert main(["gameday", "health-db-down", "--plan"]) == 0
    out = capsys.readouterr().out
    assert "touches: the postgres proxy (Toxiproxy): disabled, new connections refused" in out
    assert "longest time anything stays broken: " in out and "The runbook, section" not in out
