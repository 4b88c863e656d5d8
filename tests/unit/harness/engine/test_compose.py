"""drill's side of docker-compose: which project, the env file it writes (and the one it
never overwrites), and getting docker-compose installed or saying how."""

import subprocess
from types import SimpleNamespace

import pytest

from runbook_drill.harness.engine import compose
from runbook_drill.harness.engine.daemon import Host
from runbook_drill.harness.errors import ConfigError, EngineUnavailable


class FakeImages:
    def resolve(self, name):
        return SimpleNamespace(ref=f"local/{name}:offline")


@pytest.fixture
def project(tmp_path):
    (tmp_path / "docker-compose.yml").write_text("services: {}\n")
    return compose.Project.of(str(tmp_path / "docker-compose.yml"), "drill-unit")


def test_a_missing_compose_file_is_a_config_error_naming_it(tmp_path):
    with pytest.raises(ConfigError, match="no compose file .*nothing.yml"):
        compose.Project.of(str(tmp_path / "nothing.yml"), None)


def test_the_project_name_is_the_flag_then_compose_s_variable_then_runbook_drill(tmp_path, monkeypatch, project):
    file = str(project.file)
    monkeypatch.delenv("COMPOSE_PROJECT_NAME", raising=False)
    assert compose.Project.of(file, None).name == "runbook-drill"
    monkeypatch.setenv("COMPOSE_PROJECT_NAME", "from-env")
    assert compose.Project.of(file, None).name == "from-env"
    assert compose.Project.of(file, "from-flag").name == "from-flag"


def test_the_env_file_names_every_image_and_the_project_beside_the_compose_file(project):
    values = compose.write_env(SimpleNamespace(images=FakeImages()), project)
    text = (project.file.parent / ".env").read_text()
    assert text.startswith(compose.ENV_HEADER)
    for variable, name in compose.IMAGE_VARIABLES.items():
        assert f"{variable}=local/{name}:offline\n" in text
    assert "COMPOSE_PROJECT_NAME=drill-unit\n" in text
    assert len(values["JWT_SECRET"]) >= 32


def test_writing_the_env_file_again_keeps_its_secret(project):
    session = SimpleNamespace(images=FakeImages())
    first = compose.write_env(session, project)["JWT_SECRET"]
    assert compose.write_env(session, project)["JWT_SECRET"] == first


def test_an_env_file_drill_did_not_write_is_left_alone_with_a_config_error(project):
    env = project.file.parent / ".env"
    env.write_text("MY_OWN=1\n")
    with pytest.raises(ConfigError, match="not written by drill"):
        compose.write_env(SimpleNamespace(images=FakeImages()), project)
    assert env.read_text() == "MY_OWN=1\n"


def _host(root: bool, tools: set, commands: list, apt_rc: int = 0) -> Host:
    def run(command, **kwargs):
        commands.append(command)
        if apt_rc == 0:
            tools.add("docker-compose")
        return subprocess.CompletedProcess(command, apt_rc, "", "E: Unable to locate package docker-compose\n")

    return Host(euid=lambda: 0 if root else 1000, which=lambda name: name if name in tools else None, run=run)


def test_an_installed_docker_compose_is_used_as_it_is():
    commands = []
    assert compose.compose_command(_host(True, {"docker-compose", "apt-get"}, commands)) == ["docker-compose"]
    assert commands == []


def test_root_with_apt_installs_debian_s_docker_compose():
    commands = []
    assert compose.compose_command(_host(True, {"apt-get"}, commands)) == ["docker-compose"]
    assert commands[-1][-1] == "docker-compose" and commands[-1][:2] == ["apt-get", "install"]


def test_without_root_a_missing_docker_compose_is_one_line_saying_how_to_install_it():
    with pytest.raises(EngineUnavailable, match="apt-get install docker-compose"):
        compose.compose_command(_host(False, {"apt-get"}, []))


def test_a_failed_apt_install_names_the_command_and_its_last_line():
    with pytest.raises(EngineUnavailable, match="`apt-get update -qq` failed: E: Unable to locate"):
        compose.compose_command(_host(True, {"apt-get"}, [], apt_rc=100))


def test_init_writes_the_carried_compose_project_and_refuses_to_overwrite(tmp_path):
    written = compose.Project.init(str(tmp_path / "docker-compose.yml"))
    assert [p.name for p in written] == ["docker-compose.yml", "compose"]
    assert (tmp_path / "compose" / "pager.py").is_file() and not (tmp_path / "compose" / "pager.py").is_symlink()
    assert compose.Project.of(str(tmp_path / "docker-compose.yml"), None).file == tmp_path / "docker-compose.yml"
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "compose").mkdir()
    with pytest.raises(ConfigError, match="exists"):
        compose.Project.init(str(tmp_path / "other" / "docker-compose.yml"))
    assert not (tmp_path / "other" / "docker-compose.yml").exists()
