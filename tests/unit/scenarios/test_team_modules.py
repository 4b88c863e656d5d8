"""A team's Python scenario modules and installed entry points: what they register (a
fault kind, a check) is there for the declarative files; their scenarios join the
suite; what goes wrong in them is one line naming the file (and line), exit 2."""

import textwrap
from importlib.metadata import EntryPoint

import pytest

from runbook_drill import FAULTS, check_catalogue, scenarios
from runbook_drill.harness.errors import ConfigError
from runbook_drill.harness.runbook import RUNBOOK, Runbook

MODULE = '''
from runbook_drill import Check, Fault, Scenario, checks, register_check, register_fault

@register_fault
class BrokerDown(Fault):
    kind = "team_broker_down_{tag}"
    touches = "the team's message broker"
    radius = "every replica that publishes"

    def _apply(self, stack):
        pass

    def _verify(self, stack):
        return {{"broker": "down"}}

    def heal(self, stack):
        pass


@register_check(name="team_always_{tag}")
def always(window: str) -> Check:
    return Check("always", window, lambda history, span: (checks.PASS, {{}}))


def scenarios(o):
    return [Scenario(id="team-broker-down-{tag}", runbook="Dependencies", fault=lambda: BrokerDown(),
                     during=[always("fault")], proves=[o.cites("Dependencies", "PostgreSQL")])]
'''

FILE = '''
id = "team-file-{tag}"
section = "Dependencies"
proves = "Redis"

[fault]
kind = "team_broker_down_{tag}"

[[checks.fault]]
check = "team_always_{tag}"
'''


@pytest.fixture(autouse=True)
def _registries_restored():
    """What a test's team module registers is gone after it: the reference pages and
    other tests see the built-in catalogue only."""
    from runbook_drill.harness.checks import catalogue

    faults, added = dict(FAULTS), dict(catalogue._ADDED)
    yield
    FAULTS.clear()
    FAULTS.update(faults)
    catalogue._ADDED.clear()
    catalogue._ADDED.update(added)


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_a_modules_fault_and_check_are_registered_and_a_file_may_name_them(tmp_path):
    _write(tmp_path, "broker.py", MODULE.format(tag="a"))
    _write(tmp_path, "broker.toml", FILE.format(tag="a"))
    built = scenarios.build(Runbook(RUNBOOK), extensions=[tmp_path], entry_points=False)
    ids = [s.id for s in built]
    assert ids[-2:] == ["team-broker-down-a", "team-file-a"] and "team_broker_down_a" in FAULTS
    assert "team_always_a" in check_catalogue() and built[-1].fault().inject(None) == {"broker": "down"}
    assert built[-2].origin == str(tmp_path / "broker.py")


def test_a_module_loaded_twice_in_one_process_registers_nothing_twice(tmp_path):
    path = _write(tmp_path, "broker.py", MODULE.format(tag="b"))
    for _ in range(2):
        assert scenarios.build(Runbook(RUNBOOK), extensions=[path], entry_points=False)[-1].id == "team-broker-down-b"


def test_a_module_that_cannot_be_imported_is_one_line_with_the_line_it_raised_at(tmp_path):
    path = _write(tmp_path, "broken.py", "import os\n\nraise RuntimeError('no broker configured')\n")
    with pytest.raises(ConfigError, match=rf"^{path}:3: cannot import: RuntimeError: no broker configured$"):
        scenarios.build(Runbook(RUNBOOK), extensions=[path], entry_points=False)


def test_a_fault_kind_that_is_built_in_cannot_be_registered_again(tmp_path):
    path = _write(tmp_path, "clash.py", MODULE.format(tag="c").replace('"team_broker_down_c"', '"db_restart"'))
    with pytest.raises(ConfigError, match=rf"{path}:\d+: cannot import: ConfigError: fault kind 'db_restart' is "
                                          r"already registered"):
        scenarios.build(Runbook(RUNBOOK), extensions=[path], entry_points=False)


def test_a_modules_scenario_proving_a_line_not_in_the_runbook_is_drift_naming_the_file(tmp_path):
    path = _write(tmp_path, "gone.py", MODULE.format(tag="d").replace('"PostgreSQL"', '"Kafka"'))
    with pytest.raises(ConfigError, match=rf"^{path}: not a line of the runbook: drift: section 'Dependencies' no "
                                          r"longer mentions 'Kafka'"):
        scenarios.build(Runbook(RUNBOOK), extensions=[path], entry_points=False)


def test_an_installed_distributions_entry_points_add_scenarios_faults_and_checks(tmp_path, monkeypatch):
    import sys

    _write(tmp_path, "team_drill_pkg.py", MODULE.format(tag="e"))
    monkeypatch.syspath_prepend(str(tmp_path))
    points = {"runbook_drill.scenarios": [EntryPoint("broker", "team_drill_pkg", "runbook_drill.scenarios")],
              "runbook_drill.checks": [EntryPoint("team_also", "team_drill_pkg:always", "runbook_drill.checks")],
              "runbook_drill.faults": [EntryPoint("broker", "team_drill_pkg:BrokerDown", "runbook_drill.faults")]}
    monkeypatch.setattr("runbook_drill.scenarios.extensions.entry_points", lambda group: points.get(group, []))
    built = scenarios.build(Runbook(RUNBOOK))
    assert built[-1].id == "team-broker-down-e" and built[-1].origin.startswith("entry point broker = team_drill_pkg")
    assert "team_also" in check_catalogue() and "team_broker_down_e" in FAULTS
    sys.modules.pop("team_drill_pkg", None)
