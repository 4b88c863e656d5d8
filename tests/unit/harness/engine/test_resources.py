import os
import socket
import subprocess

from runbook_drill.harness.engine.resources import OWNER_LABEL, PROJECT_LABEL, RUN_ID, RUN_LABEL, owner_alive, owner_of, run_labels


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_this_process_is_a_live_owner():
    assert owner_alive(owner_of(os.getpid()))


def test_a_process_that_has_exited_is_a_dead_owner():
    pid = _dead_pid()
    assert not owner_alive(f"{socket.gethostname()}:{pid}:12345")


def test_a_recycled_pid_with_another_start_time_is_a_dead_owner():
    assert not owner_alive(f"{socket.gethostname()}:{os.getpid()}:1")


def test_an_owner_on_another_host_counts_as_alive():
    assert owner_alive("some-other-host:1:1")


def test_a_malformed_owner_on_this_host_is_dead():
    assert not owner_alive(f"{socket.gethostname()}:not-a-pid")


def test_a_resource_without_an_owner_is_never_taken_for_stale():
    assert owner_alive("")


def test_run_labels_name_the_project_the_run_and_the_owner():
    labels = run_labels()
    assert labels[PROJECT_LABEL] == "runbook-drill"
    assert labels[RUN_LABEL] == RUN_ID
    assert owner_alive(labels[OWNER_LABEL])
