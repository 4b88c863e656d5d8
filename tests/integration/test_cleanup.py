"""Cleanup is a feature: killed runs are swept by the next run, `drill clean` removes
everything of the project, and a run that cannot reach an engine creates nothing."""

import json
import os
import selectors
import subprocess
import sys
from pathlib import Path

import docker.errors

from runbook_drill.harness.engine.containers import generic_container, network
from runbook_drill.harness.engine.resources import leftovers

ROOT = Path(__file__).resolve().parents[2]
DRILL = str(Path(sys.executable).with_name("drill"))


def _start_leaky_run() -> tuple[subprocess.Popen, dict]:
    proc = subprocess.Popen([sys.executable, "-m", "tests.support.leaky_run"], cwd=ROOT, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        if not selector.select(timeout=60):
            proc.kill()
            raise AssertionError(f"leaky run printed nothing in 60s: {proc.stderr.read()}")
    line = proc.stdout.readline()
    assert line, f"leaky run exited early: {proc.wait()} {proc.stderr.read()}"
    return proc, json.loads(line)


def _exists(client, kind: str, name: str) -> bool:
    try:
        getattr(client, kind).get(name)
        return True
    except docker.errors.NotFound:
        return False


def test_a_sigkilled_run_leaves_resources_that_the_next_run_sweeps_at_its_start(client):
    killed, first = _start_leaky_run()
    killed.kill()
    killed.wait(timeout=10)
    assert _exists(client, "containers", first["container"]), "the killed run should have leaked"
    assert _exists(client, "networks", first["network"])

    survivor, second = _start_leaky_run()
    try:
        assert first["container"] in second["swept"] and first["network"] in second["swept"]
        assert not _exists(client, "containers", first["container"])
        assert not _exists(client, "networks", first["network"])
        assert _exists(client, "containers", second["container"]), "a live run must not be swept"
    finally:
        survivor.communicate("exit\n", timeout=60)
    assert survivor.returncode == 0
    assert not _exists(client, "containers", second["container"])


def test_drill_clean_removes_every_project_container_and_network(session):
    image = session.images.resolve("debian", build=False).ref
    net = network().create()
    generic_container(image).with_command("sleep 600").with_network(net).start()
    assert leftovers(session.client)
    done = subprocess.run([DRILL, "clean"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "removed container" in done.stdout and f"removed network {net.name}" in done.stdout
    assert leftovers(session.client) == []


def test_drill_clean_leaves_alone_a_container_others_started_from_an_image_drill_built(session):
    # Built images carry the project label and containers inherit it: a team's compose
    # stack from drill's images is not a leftover of a run.
    image = session.images.resolve("debian", build=False).ref
    theirs = session.client.containers.run(image, "sleep 600", detach=True, labels={"test": "not-drill-s"})
    try:
        done = subprocess.run([DRILL, "clean"], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        theirs.reload()
        assert theirs.status == "running"
        assert f"container {theirs.name}" not in leftovers(session.client)
    finally:
        theirs.remove(force=True)


def test_an_unreachable_engine_is_one_line_exit_2_and_creates_nothing(session, tmp_path):
    env = {**os.environ, "DOCKER_HOST": f"unix://{tmp_path}/no-engine.sock"}
    before = leftovers(session.client)
    done = subprocess.run([DRILL, "setup"], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("drill: error: the Docker engine at DOCKER_HOST=unix://")
    assert leftovers(session.client) == before
