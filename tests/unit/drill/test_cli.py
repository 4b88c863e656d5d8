import pytest

from runbook_drill.cli import main
from runbook_drill.harness.runbook import RUNBOOK
from tests.unit.harness.runbook import rewrites


@pytest.mark.parametrize("argv, fragment", [
    (["--pull-timeout", "soon", "doctor"], "argument --pull-timeout: invalid float value: 'soon'"),
    (["--pull-timeout", "-1", "doctor"], "pull_timeout = -1.0 (from --pull-timeout)"),
    (["--image-policy", "always", "doctor"], "argument --image-policy: invalid choice: 'always'"),
    (["explode"], "invalid choice: 'explode'"),
    ([], "the following arguments are required: COMMAND"),
])
def test_bad_input_is_one_line_on_stderr_and_exit_2(argv, fragment, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("DRILL_CONFIG", str(tmp_path / "none.toml"))
    with pytest.raises(SystemExit) as stop:
        code = main(argv)
        raise SystemExit(code)
    err = capsys.readouterr().err
    assert stop.value.code == 2
    assert err.count("\n") == 1 and err.startswith("drill: error: ")
    assert fragment in err


def test_a_bad_environment_setting_is_named_in_a_one_line_error(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("DRILL_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("DRILL_ENGINE_TIMEOUT", "forever")
    assert main(["doctor"]) == 2
    assert capsys.readouterr().err == ("drill: error: engine_timeout = 'forever' (from DRILL_ENGINE_TIMEOUT): "
                                       "could not convert string to float: 'forever'\n")


def test_a_runbook_with_its_lists_as_tables_and_quantities_in_other_units_lists_and_covers_the_same(capsys,
                                                                                                   tmp_path):
    copy = tmp_path / "runbook.md"
    copy.write_text(rewrites.units(rewrites.tables(RUNBOOK.read_text(), rewrites.TABLE_SECTIONS, True),
                                   {quantity: 2 for quantity in rewrites.UNIT_SPELLINGS}))
    outputs = []
    for argv in (["list"], ["list", "--runbook", str(copy)], ["coverage"], ["coverage", "--runbook", str(copy)]):
        assert main(argv) == 0
        outputs.append(capsys.readouterr().out)
    assert "| `http_requests_total` | Total requests |" in outputs[3] and "(p99 > 500 ms)" in copy.read_text()
    assert outputs[0] == outputs[1] and outputs[2].splitlines()[-1] == outputs[3].splitlines()[-1]
