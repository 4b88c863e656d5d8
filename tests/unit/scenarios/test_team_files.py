"""A team's scenario files: bad ones are one line each naming the file, the line and the
key, exit 2, and nothing starts (these fail before the engine is asked for anything);
good ones are built like the built-in scenarios and prove their lines."""

import textwrap
from pathlib import Path

import pytest

from runbook_drill import scenarios
from runbook_drill.cli import main
from runbook_drill.harness.errors import ConfigError
from runbook_drill.harness.runbook import RUNBOOK, Runbook

GOOD = """\
id = "team-db-refused-logged"
section = "Database Connection Failures"
proves = "Verify database pods are running"

[fault]
kind = "dependency_refused"
dependency = "postgres"

[[checks.fault]]
check = "error_rate"
above = "${threshold.error_rate}"
statuses = [500]

[[checks.fault]]
check = "error_log"
text = "${db.symptom_log}"

[[checks.recovery]]
check = "recovered"
within_s = 20
"""


def _file(tmp_path: Path, text: str, name: str = "team.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def _built(*paths) -> list:
    return scenarios.build(Runbook(RUNBOOK), extensions=paths, entry_points=False)


def test_a_good_file_is_built_after_the_built_in_scenarios_with_the_runbooks_values(tmp_path):
    built = _built(_file(tmp_path, GOOD))
    team = built[-1]
    assert team.id == "team-db-refused-logged" and team.origin == str(tmp_path / "team.toml")
    assert [c.description for c in team.during] == ["500 rate > 1.0%", "the service logs ERROR containing "
                                                    "'connection refused'"]
    assert team.proves[0].startswith("L") and "Verify database pods are running" in team.proves[0]
    assert len(team.steady) == 5  # the runbook's steady-state hypothesis by default
    assert team.fault().kind == "dependency_refused"


def test_a_reference_times_a_number_scales_the_runbooks_value(tmp_path):
    text = GOOD.replace('above = "${threshold.error_rate}"', 'above = "${threshold.error_rate} * 3"')
    assert _built(_file(tmp_path, text))[-1].during[0].description == "500 rate > 3.0%"


BAD = [
    (GOOD.replace('kind = "dependency_refused"', 'kind = "meteor_strike"'), 6,
     "fault.kind: unknown fault kind 'meteor_strike'; known: "),
    (GOOD.replace('check = "error_rate"', 'check = "error_ratio"'), 10, "checks.fault[0].check: unknown check 'error_ratio'"),
    (GOOD.replace("[[checks.recovery]]", "[[checks.aftermath]]"), 18, "checks.aftermath: no window 'aftermath' here; "
                                                                      "known: steady, fault"),
    (GOOD.replace('"Verify database pods are running"', '"Ask the database nicely"'), 3,
     "proves: not a line of the runbook: drift: section 'Database Connection Failures' no longer mentions "
     "'Ask the database nicely'"),
    (GOOD.replace('"team-db-refused-logged"', '"db-refused"'), 1, "id: scenario id 'db-refused' is already one (built-in)"),
    (GOOD.replace("[fault]", "[fault"), 5, "malformed TOML: "),
    (GOOD.replace("within_s = 20", "within_seconds = 20"), 18, "checks.recovery[0]: check 'recovered': no argument "
                                                               "'within_seconds'; it takes: within_s"),
    (GOOD.replace('text = "${db.symptom_log}"', 'text = "${db.symptom_lag}"'), 16,
     "checks.fault[1].text: no claim 'db.symptom_lag'"),
    (GOOD.replace('section = "Database Connection Failures"\n', ""), 1, "(file): 'section' is required"),
    (GOOD.replace("dependency = \"postgres\"", "dependency = \"postgres\"\nflavour = 2"), 5,
     "fault: fault dependency_refused: unknown parameter 'flavour'"),
]


@pytest.mark.parametrize("text, line, said", BAD, ids=["fault kind", "check", "window", "line", "duplicate id",
                                                        "malformed", "argument", "reference", "required", "parameter"])
def test_a_bad_file_is_one_line_naming_the_file_line_and_key_and_exit_2(text, line, said, tmp_path, capsys,
                                                                         monkeypatch):
    monkeypatch.setenv("DRILL_CONFIG", str(tmp_path / "none.toml"))
    path = _file(tmp_path, text)
    monkeypatch.setattr("runbook_drill.runs.engine_session", _nothing_starts)
    assert main(["run", "--scenarios", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"drill: error: {path}:{line}: ") and said in err, err


def _nothing_starts(*args, **kwargs):
    raise AssertionError("the engine was asked for something")


def test_every_bad_file_of_a_directory_is_a_line_of_its_own(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("DRILL_CONFIG", str(tmp_path / "none.toml"))
    _file(tmp_path, BAD[0][0], "a.toml")
    _file(tmp_path, BAD[1][0], "b.toml")
    assert main(["list", "--scenarios", str(tmp_path)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2 and "a.toml:6: fault.kind" in lines[0] and "b.toml:10: checks.fault[0].check" in lines[1]


def test_two_team_files_with_one_id_are_an_error_naming_the_first(tmp_path):
    first, second = _file(tmp_path, GOOD, "a.toml"), _file(tmp_path, GOOD, "b.toml")
    with pytest.raises(ConfigError, match=rf"b.toml:1: id: scenario id 'team-db-refused-logged' is already one "
                                          rf"\({first}\)"):
        _built(first, second)


def test_a_path_that_is_not_there_or_not_a_scenario_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="no such file or directory"):
        _built(tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match="not a .toml or .py file"):
        _built(_file(tmp_path, "x", "notes.txt"))


CALIBRATED = """\
id = "team-cpu-throttled"
section = "High Latency"
proves = "CPU throttling"

[fault]
kind = "cpu_throttling"
cpus = 1.0

[calibration]
name = "cpu_quota"
scaled_to = 4

[[checks.fault_steady]]
check = "latency"
above_ms = "${threshold.p99_ms}"
"""


def test_a_calibration_by_name_sizes_the_fault_at_run_time_with_the_windows_it_needs(tmp_path):
    team = _built(_file(tmp_path, CALIBRATED))[-1]
    assert team.calibrate is not None and team.rest_s > 0 and team.settled_when is not None
    assert team.during[0].description == "p99 latency > 500 ms"


def test_an_unknown_calibration_is_one_line_naming_its_key(tmp_path):
    path = _file(tmp_path, CALIBRATED.replace('"cpu_quota"', '"guesswork"'))
    with pytest.raises(ConfigError, match=rf"^{path}:10: calibration.name: unknown calibration 'guesswork'; known: "
                                          r"cpu_quota$"):
        _built(path)


def test_a_remediation_by_name_is_the_scenarios_with_its_name_and_an_unknown_one_is_an_error(tmp_path):
    text = GOOD + '\n[remediation]\naction = "restart_replicas"\nname = "restart user-api pods"\n'
    team = _built(_file(tmp_path, text))[-1]
    assert team.remediation is not None and team.remediation_name == "restart user-api pods" and team.heal_first
    path = _file(tmp_path, text.replace('"restart_replicas"', '"reboot_the_world"'), "bad.toml")
    with pytest.raises(ConfigError, match=r"bad.toml:23: remediation.action: unknown remediation 'reboot_the_world'"):
        _built(path)


def test_a_scaled_whole_number_stays_whole_and_timing_goes_over_a_calibrations_waits(tmp_path):
    text = CALIBRATED.replace('above_ms = "${threshold.p99_ms}"', 'above_ms = "${threshold.p99_ms} * 2"')
    team = _built(_file(tmp_path, text + "\n[timing]\nsettle_max_s = 4\n"))[-1]
    assert team.during[0].description == "p99 latency > 1000 ms" and team.settle_max_s == 4
