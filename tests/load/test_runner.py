"""Locust against the real stack, in processes of its own: a clean run is within the
runbook's thresholds; a disabled database proxy pushes the error rate over the
threshold inside the fault window and not before; bad input fails fast; the load never
outlives its parent."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from runbook_drill.harness import runbook
from runbook_drill.harness.errors import ConfigError
from runbook_drill.load.runner import LoadConfig, LoadRun
from runbook_drill.load.summary import summarize
from runbook_drill.harness.polling import eventually
from tests.support.stacks import module_stack, reset_before_each_test

ROOT = Path(__file__).resolve().parents[2]


stack = module_stack(replicas=1, seed_users=1000, with_lb=True)
fresh = reset_before_each_test()


def _config(stack, tmp_path, **changes) -> LoadConfig:
    return LoadConfig(**{"host": stack.lb_url(), "auth_url": stack.auth_url(), "users": 8, "duration_s": 6,
                         "records_dir": tmp_path, **changes})


@pytest.mark.parametrize("workers", [0, 2])
def test_a_clean_run_has_no_errors_and_a_p99_under_the_runbook_threshold(stack, tmp_path, workers):
    run = LoadRun(_config(stack, tmp_path, workers=workers)).start()
    run.wait(60)
    records = run.records()
    summary = summarize(records, run.started, time.time())
    assert summary["requests"] > 100
    assert summary["error_rate"] == 0.0 and summary["unknown"] == 0
    assert summary["p99_ms"] < runbook.p99_threshold_ms()
    if workers:
        assert len(list(tmp_path.glob("records.*.jsonl"))) == workers  # every worker's records collected


def test_a_refused_database_pushes_the_error_rate_over_the_threshold_in_the_fault_window_only(stack, tmp_path):
    run = LoadRun(_config(stack, tmp_path, duration_s=None)).start()
    try:
        time.sleep(3)  # the steady window's length
        fault_start = time.time()
        requests.post(f"{stack.toxiproxy_url()}/proxies/postgres", json={"enabled": False}, timeout=5)
        time.sleep(3)  # the fault window's length
        fault_end = time.time()
    finally:
        requests.post(f"{stack.toxiproxy_url()}/proxies/postgres", json={"enabled": True}, timeout=5)
        run.stop()
    records = run.records()
    threshold = runbook.error_rate_threshold()
    before = summarize(records, run.started + 1, fault_start)
    during = summarize(records, fault_start + 0.5, fault_end)
    assert before["requests"] > 20 and before["error_rate"] <= threshold
    assert during["requests"] > 20 and during["error_rate"] > threshold


@pytest.mark.parametrize("changes, message", [
    ({"users": 0}, "users must be at least 1"),
    ({"host": "http://no-such-host.invalid:8080"}, "unknown host"),
    ({"host": "http://127.0.0.1:1"}, "is unreachable"),
    ({"host": "ftp://x"}, "is not an http(s) URL"),
])
def test_bad_input_fails_fast_with_one_line(stack, tmp_path, changes, message):
    started = time.monotonic()
    with pytest.raises(ConfigError) as err:
        LoadRun(_config(stack, tmp_path, **changes))
    assert message in str(err.value) and "\n" not in str(err.value)
    assert time.monotonic() - started < 5


def test_the_command_line_reports_bad_input_in_one_line_and_exit_2():
    done = subprocess.run([sys.executable, "-m", "runbook_drill.load.runner", "--host", "http://127.0.0.1:1",
                           "--auth-url", "http://127.0.0.1:1", "--users", "0"], cwd=ROOT, capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 2
    assert done.stderr == "load: error: users must be at least 1, got 0\n"


@pytest.mark.parametrize("option, value, message", [
    ("--mix", "1,1", 'mix must be four whole weights "read,list,create,update", one of them positive; got \'1,1\''),
    ("--mix", "0,0,0,0", "one of them positive; got '0,0,0,0'"),
    ("--user-ids", "0", "user ids must be at least 1 and the timeout positive, got 0 and 2"),
    ("--timeout-s", "0", "user ids must be at least 1 and the timeout positive, got 1000 and 0"),
])
def test_a_bad_traffic_option_is_one_line_and_exit_2(option, value, message):
    done = subprocess.run([sys.executable, "-m", "runbook_drill.load.runner", "--host", "http://127.0.0.1:1",
                           "--auth-url", "http://127.0.0.1:1", option, value], cwd=ROOT, capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 2 and message in done.stderr and done.stderr.count("\n") == 1, done.stderr


def test_the_command_line_leaves_no_records_directory_after_bad_input(tmp_path):
    done = subprocess.run([sys.executable, "-m", "runbook_drill.load.runner", "--host", "http://127.0.0.1:1",
                           "--auth-url", "http://127.0.0.1:1"], cwd=ROOT, capture_output=True, text=True,
                          timeout=30, env={**os.environ, "TMPDIR": str(tmp_path)})
    assert done.returncode == 2 and "is unreachable" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_command_line_summarises_a_run_and_removes_its_records(stack, tmp_path):
    done = subprocess.run([sys.executable, "-m", "runbook_drill.load.runner", "--host", stack.lb_url(), "--auth-url",
                           stack.auth_url(), "--users", "2", "--duration", "2"], cwd=ROOT, capture_output=True,
                          text=True, timeout=90, env={**os.environ, "TMPDIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["requests"] > 0
    assert list(tmp_path.iterdir()) == []


def test_the_command_line_stopped_by_sigterm_leaves_no_records_directory(stack, tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "runbook_drill.load.runner", "--host", stack.lb_url(), "--auth-url",
                             stack.auth_url(), "--users", "2", "--duration", "120"], cwd=ROOT,
                            env={**os.environ, "TMPDIR": str(tmp_path)}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    eventually(lambda: list(tmp_path.glob("drill-load-*/records.*.jsonl")), 30, what="the load recording")
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 143
    assert list(tmp_path.iterdir()) == []


def test_the_load_processes_die_with_a_killed_parent(stack, tmp_path):
    parent = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from load.runner import LoadConfig, LoadRun; from pathlib import Path; "
         f"run = LoadRun(LoadConfig({stack.lb_url()!r}, {stack.auth_url()!r}, users=2, workers=1, "
         f"records_dir=Path({str(tmp_path)!r}))).start(); "
         "print(' '.join(str(p.pid) for p in run.processes), flush=True); time.sleep(300)"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    children = [int(pid) for pid in parent.stdout.readline().split()]
    assert len(children) == 2
    parent.send_signal(signal.SIGKILL)
    parent.wait(timeout=10)

    def all_gone() -> bool:
        for pid in children:
            try:
                os.kill(pid, 0)
                with open(f"/proc/{pid}/stat") as stat:
                    if stat.read().split(")")[1].split()[0] != "Z":
                        return False
            except (ProcessLookupError, FileNotFoundError):
                continue
        return True

    eventually(all_gone, 20, what="every locust process gone after its parent was killed")


def test_the_records_reach_the_history_while_the_load_runs_and_each_only_once(stack):
    from runbook_drill.harness.observe.history import History
    from runbook_drill.load.generator import LocustSpec

    history = History()
    generator = LocustSpec(users=8, rate_per_user=5, user_ids=300).build(history, stack.lb_url(), stack.auth_url())
    generator.start()
    try:
        generator.wait_ready()
        assert eventually(lambda: len(history.events("request")) >= 50, timeout=20)  # before stop
    finally:
        generator.stop()
    seen = [(e.t, e.data["endpoint"], e.data["latency"]) for e in history.events("request")]
    assert len(seen) == len(set(seen)) and len(seen) >= 50
