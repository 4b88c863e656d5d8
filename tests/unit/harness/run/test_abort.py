"""The kill switch's bookkeeping: runs register while they run, an abort asks the one
running (or the one named) and says who asked, and bad requests are one-line errors."""

import json
import signal
import subprocess
import sys

import pytest

from runbook_drill.cli import main
from runbook_drill.harness import signals
from runbook_drill.harness.errors import ConfigError
from runbook_drill.harness.run import abort


def test_a_run_is_registered_while_it_runs_and_gone_after(tmp_path):
    with abort.running(tmp_path, "r1"):
        assert [r["run_id"] for r in abort.live_runs(tmp_path)] == ["r1"]
    assert abort.live_runs(tmp_path) == []


def test_a_dead_runs_entry_is_not_live_and_is_removed(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "old.json").write_text(json.dumps({"run_id": "old", "pid": int(dead.stdout)}))
    assert abort.live_runs(tmp_path) == [] and not (tmp_path / "runs" / "old.json").exists()


def test_nothing_running_an_unknown_run_or_two_unnamed_are_refused(tmp_path):
    with pytest.raises(ConfigError, match="no run or game day is running here"):
        abort.request(tmp_path)
    with abort.running(tmp_path, "r1"), abort.running(tmp_path, "r2"):
        with pytest.raises(ConfigError, match=r"2 runs are running \(r1, r2\): name one with --run"):
            abort.request(tmp_path)
        with pytest.raises(ConfigError, match="--run r3: no such run is running"):
            abort.request(tmp_path, "r3")


def test_an_abort_raises_aborted_in_the_run_saying_who_asked(tmp_path):
    saved = {signum: signal.getsignal(signum) for signum in signals.EXIT_CODES}
    signals.install()
    try:
        with pytest.raises(signals.Aborted, match="aborted by the facilitator"):
            with abort.running(tmp_path, "r1"):
                abort.request(tmp_path, "r1", by="the facilitator")  # SIGUSR1 to this very process
                for _ in range(10_000_000):  # bounded: the handler raises at the next bytecode
                    pass
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)


def test_drill_abort_with_nothing_running_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DRILL_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("DRILL_CONFIG", str(tmp_path / "none.toml"))
    assert main(["abort"]) == 2
    err = capsys.readouterr().err
    assert err == "drill: error: no run or game day is running here\n"


def test_an_empty_abort_file_setting_is_none_and_a_path_is_taken_as_given():
    from runbook_drill.harness.settings import load_settings

    assert load_settings(env={"DRILL_ABORT_FILE": ""}).abort_file is None
    assert str(load_settings(env={"DRILL_ABORT_FILE": "/run/stop"}).abort_file) == "/run/stop"
