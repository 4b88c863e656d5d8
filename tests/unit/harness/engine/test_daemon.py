import dataclasses
import subprocess

import pytest

from runbook_drill.harness.engine.daemon import Host, ensure_engine
from runbook_drill.harness.errors import EngineUnavailable
from runbook_drill.harness.settings import Settings


class FakeMachine:
    """A machine whose engine answers after `answers_after` pings (None: never)."""

    def __init__(self, root=True, tools=("apt-get", "dockerd"), answers_after=0, apt_fails=False):
        self.root, self.tools, self.answers_after, self.apt_fails = root, set(tools), answers_after, apt_fails
        self.pings, self.commands, self.started = 0, [], []

    def host(self) -> Host:
        return Host(euid=lambda: 0 if self.root else 1000, which=self._which, run=self._run,
                    popen=self._popen, ping=self._ping)

    def _which(self, name):
        return f"/usr/bin/{name}" if name in self.tools else None

    def _ping(self):
        self.pings += 1
        return self.answers_after is not None and self.pings > self.answers_after

    def _run(self, command, **kwargs):
        self.commands.append(command)
        if self.apt_fails:
            return subprocess.CompletedProcess(command, 100, "", "E: Unable to locate package docker.io\n")
        self.tools.add("dockerd")
        return subprocess.CompletedProcess(command, 0, "", "")

    def _popen(self, command, **kwargs):
        self.started.append(command)


@pytest.fixture
def settings(tmp_path):
    return Settings(dockerd_log=tmp_path / "dockerd.log", engine_timeout=3.0)


@pytest.fixture(autouse=True)
def local_engine(monkeypatch):
    monkeypatch.delenv("DOCKER_HOST", raising=False)


def test_an_engine_that_answers_is_used_as_it_is(settings):
    machine = FakeMachine(answers_after=0)
    assert ensure_engine(settings, machine.host()) == "running"
    assert machine.started == [] and machine.commands == []


def test_an_installed_but_stopped_dockerd_is_started_and_waited_for(settings):
    machine = FakeMachine(answers_after=3)
    assert ensure_engine(settings, machine.host()) == "started"
    assert machine.started == [["dockerd"]]
    assert machine.commands == []


def test_a_missing_dockerd_is_installed_from_apt_as_root(settings):
    machine = FakeMachine(tools=("apt-get",), answers_after=2)
    assert ensure_engine(settings, machine.host()) == "installed"
    assert machine.commands[-1][:2] == ["apt-get", "install"] and "docker.io" in machine.commands[-1]
    assert machine.started == [["dockerd"]]


@pytest.mark.parametrize("root, tools", [(False, ("apt-get",)), (True, ())])
def test_without_root_or_apt_a_missing_engine_is_one_line_saying_what_to_install(settings, root, tools):
    machine = FakeMachine(root=root, tools=tools, answers_after=None)
    with pytest.raises(EngineUnavailable) as err:
        ensure_engine(settings, machine.host())
    assert "install Docker" in str(err.value) and "\n" not in str(err.value)
    assert err.value.exit_code == 2
    assert machine.commands == [] and machine.started == []


def test_a_failed_apt_install_names_the_command_and_apts_last_line(settings):
    machine = FakeMachine(tools=("apt-get",), answers_after=None, apt_fails=True)
    with pytest.raises(EngineUnavailable, match="apt-get update -qq.*Unable to locate package"):
        ensure_engine(settings, machine.host())


def test_a_dockerd_that_never_answers_fails_within_the_deadline_with_its_log_line(settings):
    settings.dockerd_log.write_text("level=fatal msg=\"failed to start daemon: iptables failed\"\n")
    machine = FakeMachine(answers_after=None)
    with pytest.raises(EngineUnavailable, match="did not answer within 0.5s.*iptables failed"):
        ensure_engine(dataclasses.replace(settings, engine_timeout=0.5), machine.host())


def test_a_remote_docker_host_that_does_not_answer_is_never_replaced_by_a_local_one(settings, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "tcp://build-host:2376")
    machine = FakeMachine(answers_after=None)
    with pytest.raises(EngineUnavailable, match="DOCKER_HOST=tcp://build-host:2376 does not answer"):
        ensure_engine(settings, machine.host())
    assert machine.started == []


def test_a_stopped_dockerd_cannot_be_started_without_root(settings):
    machine = FakeMachine(root=False, answers_after=None)
    with pytest.raises(EngineUnavailable, match="only root can start it"):
        ensure_engine(settings, machine.host())
