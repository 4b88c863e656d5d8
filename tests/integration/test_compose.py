"""docker-compose.yml on this machine, with Debian's docker-compose (v1): `drill compose
up` brings every service to healthy; scenarios run against it with `--target compose`,
their faults acting on the compose containers (paused, replaced, squeezed, its auth
service swapped); the project is left as compose runs it - after a pass and after Ctrl-C
mid-fault; bad input is one line and touches nothing; `drill compose down` leaves no
container, network or volume.

The project runs from a copy of the compose file and what it mounts, so the env file
drill writes stays out of the checkout, on free loopback ports."""

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest

from runbook_drill.harness.engine import compose
from runbook_drill.harness.engine.resources import RUN_LABEL
from runbook_drill.harness.polling import wait_until
from tests.support import compose_project

PROJECT = f"drill-test-{os.getpid()}"
# Faults that need container control: a pause, a replacement, an auth-service swap, limits.
SCENARIOS = ["health-app-frozen", "health-replica-unready", "auth-jwt-secret-rotated", "memory-oom-restarts"]


def drill(cwd: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return compose_project.drill(cwd, PROJECT, *args, timeout=timeout)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A copy of docker-compose.yml and the files it mounts, laid out as in the checkout."""
    return compose_project.copy_project(tmp_path_factory.mktemp("compose"))


@pytest.fixture(scope="module")
def project(workdir, session):
    """The project, up; taken down at the end whatever happened."""
    up = drill(workdir, "compose", "up")
    try:
        assert up.returncode == 0, up.stderr[-3000:]
        yield compose.Project.of(str(workdir / "docker-compose.yml"), PROJECT)
    finally:
        drill(workdir, "compose", "down")


def _containers(client) -> dict[str, dict]:
    """Returns name -> what must be as compose runs it: id, status, limits, restart policy."""
    found = {}
    for container in client.containers.list(all=True, filters={"label": f"{compose.PROJECT_LABEL}={PROJECT}"}):
        host = container.attrs["HostConfig"]
        found[container.name] = {"id": container.id, "status": container.status, "memory": host["Memory"],
                                 "cpu_quota": max(host.get("CpuQuota") or 0, 0),
                                 "restart": (host.get("RestartPolicy") or {}).get("Name") or "no"}
    return found


def _drill_containers(client, project) -> list[str]:
    return [c.name for c in client.containers.list(all=True, filters={"network": project.network,
                                                                       "label": RUN_LABEL})]


def _injected(journal: Path, scenario: str) -> dict:
    """Returns what a scenario's fault injection recorded (its verification)."""
    record = json.loads((journal / f"{scenario}.json").read_text())
    return next(a["output"] for a in record["activities"] if a["name"].startswith("inject "))


def test_up_brings_every_service_to_healthy_with_two_ready_replicas(project, client):
    states = compose._states(client, project)
    assert len(states) == 10, states  # nine services, the User API twice
    assert all(status in ("healthy", "ready") for status, _ in states.values()), states
    assert sum(name.startswith(f"{PROJECT}_user-api_") for name in states) == 2


def test_scenarios_act_on_the_compose_containers_and_leave_the_project_as_compose_runs_it(
        project, client, workdir):
    before = _containers(client)
    done = drill(workdir, "run", "--target", "compose", "--compose-project", PROJECT, *SCENARIOS)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert f"against compose project {PROJECT}" in done.stdout
    journal = workdir / "reports" / "latest" / "journal"
    assert _injected(journal, "health-app-frozen")["replica"] == f"{PROJECT}_user-api_1"  # compose's own, paused
    assert all(name.startswith(f"{PROJECT}_user-api_")
               for name in _injected(journal, "memory-oom-restarts")["memory_limits"])
    assert _containers(client) == {name: {**state, "status": "running"} for name, state in before.items()}
    assert _drill_containers(client, project) == []


def test_ctrl_c_mid_fault_heals_and_restores_the_project(project, client, workdir):
    before = _containers(client)
    proc = subprocess.Popen([compose_project.DRILL, "run", "--target", "compose", "health-app-frozen"],
                            cwd=workdir, env=compose_project.env(PROJECT), text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        paused = wait_until(lambda: any(s["status"] == "paused" for s in _containers(client).values()), 120)
        assert paused, "the scenario never paused a compose replica"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 130, err[-2000:]
    assert _containers(client) == {name: {**state, "status": "running"} for name, state in before.items()}
    assert _drill_containers(client, project) == []


def test_a_game_day_attaches_to_the_project(project, workdir):
    done = drill(workdir, "gameday", "health-baseline", "--target", "compose", "--auto")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert f"Attached to the compose project {PROJECT}" in done.stdout
    assert "PASSED: health-baseline" in done.stdout


def test_a_project_that_is_not_up_is_one_line_exit_2_and_nothing_started(session, client, workdir):
    before = {c.id for c in client.containers.list(all=True)}
    done = drill(workdir, "run", "--target", "compose", "--compose-project", "drill-nothing-here", "health-baseline")
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if line.startswith("drill: error:")]
    assert len(errors) == 1 and "no compose project 'drill-nothing-here' is up" in errors[0], done.stderr
    assert {c.id for c in client.containers.list(all=True)} <= before


def test_a_candidate_image_with_target_compose_is_one_line_exit_2(workdir):
    done = drill(workdir, "run", "--target", "compose", "--user-api-image", "x:1", "health-baseline")
    assert done.returncode == 2
    assert "--user-api-image does not go with --target compose" in done.stderr


def test_down_leaves_no_container_network_or_volume(project, client, workdir):
    assert compose.leftovers(client, project)  # it is up before
    done = drill(workdir, "compose", "down")
    assert done.returncode == 0, done.stderr[-2000:]
    assert compose.leftovers(client, project) == []
