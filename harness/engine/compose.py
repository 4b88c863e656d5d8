"""docker-compose for the stack in docker-compose.yml: the env file of this host's
images, `up` until every service is healthy, `down` with nothing left.

Debian's docker-compose (1.29, v1) is what this machine has; as root with apt it is
installed when missing, as the engine is. docker-compose reads the env file beside the
compose file (.env) by itself, so once drill wrote it, plain `docker-compose up -d` runs
the images drill built offline too.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import docker.errors
import requests

from runbook_drill.harness import progress
from runbook_drill.harness.engine.containers import published_port
from runbook_drill.harness.engine.daemon import Host, apt_install
from runbook_drill.harness.engine.resources import RUN_LABEL
from runbook_drill.harness.errors import ConfigError, EngineUnavailable, HarnessError
from runbook_drill.harness.packaged import asset

# docker-compose's labels on what it creates
PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"
NUMBER_LABEL = "com.docker.compose.container-number"
DEFAULT_PROJECT = "runbook-drill"
# where a service without a Docker healthcheck says its readiness is read (HTTP, from outside)
READY_PORT_LABEL = "org.runbook-drill.ready-port"
READY_PATH_LABEL = "org.runbook-drill.ready-path"
UP = ("healthy", "ready", "running")  # a healthcheck passes, readiness answers 200, or neither is declared
ENV_HEADER = "# Written by `drill compose env`"
# compose variable -> the image drill resolves for it
IMAGE_VARIABLES = {"POSTGRES_IMAGE": "postgres", "REDIS_IMAGE": "redis", "TOXIPROXY_IMAGE": "toxiproxy",
                   "HAPROXY_IMAGE": "haproxy", "PROMETHEUS_IMAGE": "prometheus", "USER_API_IMAGE": "user-api",
                   "AUTH_API_IMAGE": "auth-api", "ALERTMANAGER_IMAGE": "alertmanager", "PYTHON_IMAGE": "python"}
INSTALL_HINT = "install docker-compose (Debian/Ubuntu: `apt-get install docker-compose`) and run again"


@dataclass(frozen=True)
class Project:
    """A compose project: its file, its env file (beside it) and its name."""

    file: Path
    name: str = DEFAULT_PROJECT

    @classmethod
    def of(cls, file: str | None, name: str | None) -> "Project":
        """Returns the project of --file (default ./docker-compose.yml) and --project
        (default $COMPOSE_PROJECT_NAME, else runbook-drill); raises ConfigError when
        the file is not there."""
        path = Path(file or "docker-compose.yml")
        if not path.is_file():
            raise ConfigError(f"no compose file {path} (`drill compose init` writes the stack's compose project "
                              "here; or give --file)")
        return cls(path.resolve(), name or os.environ.get("COMPOSE_PROJECT_NAME") or DEFAULT_PROJECT)

    @staticmethod
    def init(file: str | None) -> list[Path]:
        """Writes the compose project the tool carries (docker-compose.yml and compose/,
        what it mounts) at --file (default ./docker-compose.yml); returns what it wrote.
        Raises ConfigError, writing nothing, when either is there already."""
        path = Path(file or "docker-compose.yml")
        mounts = path.parent / "compose"
        for there in (path, mounts):
            if there.exists():
                raise ConfigError(f"{there} exists: `drill compose init` writes a new project only")
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(asset("compose"), mounts)
        shutil.copyfile(asset("docker-compose.yml"), path)
        return [path, mounts]

    @property
    def env_file(self) -> Path:
        return self.file.parent / ".env"

    @property
    def network(self) -> str:
        return f"{self.name}_default"


def compose_command(host: Host | None = None) -> list[str]:
    """Returns the docker-compose command line; installs Debian's docker-compose as root
    with apt when it is missing. Raises EngineUnavailable when it cannot be had."""
    host = host or Host()
    if host.which("docker-compose"):
        return ["docker-compose"]
    if host.euid() != 0 or not host.which("apt-get"):
        raise EngineUnavailable(f"docker-compose is not installed: {INSTALL_HINT}")
    with progress.task("compose", "installing docker-compose with apt"):
        apt_install(host, "docker-compose")
    return ["docker-compose"]


def write_env(session, project: Project) -> dict[str, str]:
    """Writes the env file: the project name, this host's image of every service (built
    offline where the official one cannot be had) and a JWT secret (kept from a file
    drill wrote before). Returns the values. Raises ConfigError for an env file drill
    did not write (it is never overwritten)."""
    kept = _read_env(project.env_file)
    values = {"COMPOSE_PROJECT_NAME": project.name}
    with progress.task("images", "resolving the stack's images"):
        values.update({variable: session.images.resolve(name).ref for variable, name in IMAGE_VARIABLES.items()})
    values["JWT_SECRET"] = kept.get("JWT_SECRET") or secrets.token_hex(24)
    lines = [f"{ENV_HEADER} on {time.strftime('%Y-%m-%d %H:%M:%S')}: this host's images for "
             f"{project.file.name}.", "# docker-compose reads it by itself; `drill compose env` writes it again.",
             *(f"{key}={value}" for key, value in values.items())]
    project.env_file.write_text("\n".join(lines) + "\n")
    return values


def _read_env(path: Path) -> dict[str, str]:
    """Returns the values of an env file drill wrote ({} when there is none); raises
    ConfigError for one it did not write."""
    if not path.exists():
        return {}
    text = path.read_text(errors="replace")
    if not text.startswith(ENV_HEADER):
        raise ConfigError(f"{path} was not written by drill and is left alone: remove it, or set the images "
                          f"in it yourself ({', '.join(IMAGE_VARIABLES)})")
    pairs = (line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def run(project: Project, *arguments: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Runs docker-compose on the project; raises HarnessError with its last lines on failure."""
    command = [*compose_command(), "-f", str(project.file), "-p", project.name]
    if project.env_file.exists():
        command += ["--env-file", str(project.env_file)]
    try:
        done = subprocess.run([*command, *arguments], capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise HarnessError(f"`docker-compose {' '.join(arguments)}` took over {timeout:g}s") from None
    if done.returncode != 0:
        last = " | ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
        raise HarnessError(f"`docker-compose {' '.join(arguments)}` failed: {last}")
    return done


def up(session, project: Project, timeout: float = 180) -> list[str]:
    """Writes the env file when there is none, starts the project and waits until every
    service is healthy; returns "service: status" lines. A failed `up` is taken down
    again (nothing left); a service unhealthy at the deadline raises HarnessError with
    its last log lines, the project left up to look at."""
    if not project.env_file.exists():
        write_env(session, project)
    try:
        with progress.task("compose", f"docker-compose up -d ({project.name})"):
            run(project, "up", "-d", "--remove-orphans")
    except HarnessError:
        down(session, project)
        raise
    return wait_healthy(session.client, project, timeout)


def wait_healthy(client, project: Project, timeout: float) -> list[str]:
    """Polls the project's containers until every one is healthy (deadline `timeout`);
    returns "service: status" lines. Raises HarnessError at the deadline, or at once
    when a container exited, with its last log lines."""
    started = time.monotonic()
    deadline = started + timeout
    with progress.task("compose", "waiting for every service to be healthy") as shown:
        while True:
            states = _states(client, project)
            unhealthy = [name for name, (status, _) in states.items() if status not in UP]
            shown.update(f"{len(states) - len(unhealthy)}/{len(states)} healthy")
            exited = [name for name, (status, _) in states.items() if status in ("exited", "dead")]
            if states and not unhealthy:
                return [f"{name}: {status}" for name, (status, _) in sorted(states.items())]
            if exited or time.monotonic() >= deadline:
                name = (exited or unhealthy or ["(none)"])[0]
                logs = states.get(name, ("", ""))[1]
                raise HarnessError(f"compose project {project.name}: {name} is {states.get(name, ('missing',))[0]} "
                                   f"after {time.monotonic() - started:.0f}s; last logs: {logs} (`drill compose down` removes it)")
            time.sleep(0.5)


def _states(client, project: Project) -> dict[str, tuple[str, str]]:
    """Returns container name -> (status, last log lines): Docker's health where the
    service has a healthcheck, else its readiness over HTTP where it names one
    (labels READY_PORT_LABEL and READY_PATH_LABEL), else its run status."""
    states = {}
    for container in client.containers.list(all=True, filters={"label": f"{PROJECT_LABEL}={project.name}"}):
        state = container.attrs["State"]
        status = state.get("Status", "unknown")
        if state.get("Running"):
            status = (state.get("Health") or {}).get("Status") or _readiness(container) or "running"
        tail = container.logs(tail=5).decode(errors="replace").strip().replace("\n", " | ")[-600:]
        states[container.name] = (status, tail)
    return states


def _readiness(container) -> str | None:
    """Returns "ready"/"unready" from the container's readiness endpoint (None: it names none)."""
    port, path = container.labels.get(READY_PORT_LABEL), container.labels.get(READY_PATH_LABEL)
    if not port or not path:
        return None
    try:
        answer = requests.get(f"http://127.0.0.1:{published_port(container, int(port))}{path}", timeout=2)
    except requests.RequestException:
        return "unready"
    return "ready" if answer.status_code == 200 else "unready"


def down(session, project: Project) -> list[str]:
    """Removes drill's containers on the project's network (a killed run's), then the
    project with its volumes; returns what is left (nothing, or a HarnessError)."""
    for container in session.client.containers.list(all=True, filters={"network": project.network,
                                                                         "label": RUN_LABEL}):
        try:
            container.remove(force=True, v=True)
        except docker.errors.NotFound:
            pass
    with progress.task("compose", f"docker-compose down -v ({project.name})"):
        run(project, "down", "-v", "--remove-orphans", "--timeout", "10")
    left = leftovers(session.client, project)
    if left:
        raise HarnessError(f"compose project {project.name}: still there after down: {', '.join(left)}")
    return left


def leftovers(client, project: Project) -> list[str]:
    """Returns "kind name" for every container, network and volume of the project."""
    label = {"label": f"{PROJECT_LABEL}={project.name}"}
    names = [f"container {c.name}" for c in client.containers.list(all=True, filters=label)]
    names += [f"network {n.name}" for n in client.networks.list(filters=label)]
    names += [f"volume {v.name}" for v in client.volumes.list(filters=label)]
    return names
