"""`drill list | run | report | coverage | build` on bad input: one line on stderr, exit 2, and
nothing started (these fail before the engine is asked for anything)."""

import pytest

from runbook_drill.cli import main
from runbook_drill.harness.runbook import RUNBOOK


def _drifted(tmp_path):
    path = tmp_path / "runbook.md"
    path.write_text(RUNBOOK.read_text().replace("High Latency (p99 >500ms)", "High Latency (slow)"))
    return str(path)


@pytest.mark.parametrize("argv, fragment", [
    (["run", "no-such-scenario"], "unknown scenario 'no-such-scenario'"),
    (["run", "--section", "Kernel Panics"], "no scenario in a runbook section matching 'Kernel Panics'"),
    (["run", "--runbook", "/nonexistent/runbook.md"], "cannot read the runbook /nonexistent/runbook.md"),
    (["list", "--runbook", "DRIFTED"], "drift: section 'High Latency', claim threshold.p99_ms: no text like "
                                       "'High Latency (p99 >500ms)'; closest line: L45: 'High Latency (slow)'"),
    (["run", "--runbook", "DRIFTED", "--strict-coverage"], "drift"),
    (["coverage", "--runbook", "DRIFTED"], "drift"),
    (["run", "--seed", "many"], "argument --seed: invalid int value"),
    (["build", "user-api", "--source", "/nonexistent", "--tag", "x"], "--source /nonexistent: no such directory"),
    (["build", "user-api"], "the following arguments are required: --tag"),
    (["run", "--baseline-image", "user-api:2.3"], "give the candidate as --user-api-image"),
    (["report", "/nonexistent/journal"], "holds no scenario journals"),
    (["run", "--shard", "3/2"], "--shard 3/2: K must be 1..N"),
    (["run", "--shard", "two"], "give it as K/N"),
    (["run", "--shard", "1/2", "--durations-from", "/nonexistent"], "--durations-from /nonexistent: no such"),
    (["run", "--rerun-failed", "-1"], "is not a number of reruns"),
    (["report"], "give a journal directory, or --merge"),
    (["report", "--merge", "/nonexistent/run"], "/nonexistent/run: no such directory"),
    (["images", "--load", "/nonexistent/cache"], "--load /nonexistent/cache: no such directory"),
    (["history", "--keep", "0"], "is not a number of runs of at least 1"),
    (["gameday", "no-such-scenario", "--plan"], "unknown scenario 'no-such-scenario'"),
    (["run", "--stop-when", "p99>5s"], "--stop-when 'p99>5s': not a stop condition; e.g. "),
    (["run", "db-refused", "--stop-when", "down for 0.5s"], "hold it for at least 1s"),
    (["gameday", "db-refused", "--stop-when", "alert Paged for 5s"], "no alert 'Paged' in the stack's rules; known: "),
    (["run", "--stop-when", "error_rate>100% for 5s"], "an error rate bound must be under 100%"),
])
def test_bad_input_is_one_line_and_exit_2(argv, fragment, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("DRILL_CONFIG", str(tmp_path / "none.toml"))
    argv = [_drifted(tmp_path) if a == "DRIFTED" else a for a in argv]
    with pytest.raises(SystemExit) as stop:
        raise SystemExit(main(argv))
    err = capsys.readouterr().err
    assert stop.value.code == 2, err
    assert err.count("\n") == 1 and err.startswith("drill: error: ") and fragment in err


def test_list_prints_one_line_per_scenario_with_its_section(capsys):
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) >= 30 and any(line.startswith("db-refused ") and "Database Connection Failures" in line
                                    for line in lines)


def test_coverage_prints_every_machine_checkable_line_as_proved(capsys):
    assert main(["coverage"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1].endswith("0 not-covered")
    assert "a manual page: a person decides to escalate" in out


