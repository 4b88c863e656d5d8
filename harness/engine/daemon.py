"""Make sure a Docker engine answers: use it, or install and start one, or say why not.

Order: an engine that answers is used as it is. An engine named by DOCKER_HOST is never
replaced by a local one. Otherwise, as root with apt, Debian's docker.io is installed
when dockerd is missing, and dockerd is started in the background with its log in
`settings.dockerd_log`. Anything else is one clear EngineUnavailable line (exit 2).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import docker
import docker.errors
import requests.exceptions

from runbook_drill.harness import progress
from runbook_drill.harness.errors import EngineUnavailable
from runbook_drill.harness.polling import wait_until
from runbook_drill.harness.settings import Settings

LOCAL_SOCKETS = ("", "unix:///var/run/docker.sock", "unix:///run/docker.sock")
INSTALL_HINT = ("install Docker (Debian/Ubuntu: `apt-get install docker.io`; "
                "elsewhere Docker Engine or Docker Desktop), start it, and run again")


@dataclass
class Host:
    """What the bootstrap may use on this machine; tests replace parts of it."""

    euid: Callable[[], int] = os.geteuid
    which: Callable[[str], str | None] = shutil.which
    run: Callable[..., subprocess.CompletedProcess] = subprocess.run
    popen: Callable[..., subprocess.Popen] = subprocess.Popen
    ping: Callable[[], bool] = lambda: engine_answers()


def engine_answers(timeout: float = 3.0) -> bool:
    """Returns True when the Docker engine from the environment answers a ping."""
    try:
        client = docker.from_env(timeout=timeout)
    except docker.errors.DockerException:
        return False
    try:
        return bool(client.ping())
    except (docker.errors.DockerException, requests.exceptions.RequestException, OSError):
        return False
    finally:
        client.close()


def ensure_engine(settings: Settings, host: Host | None = None) -> str:
    """Returns how the engine was obtained: "running", "started" or "installed".

    Raises EngineUnavailable with one line saying what to do when no engine can be had.
    """
    host = host or Host()
    if host.ping():
        return "running"
    docker_host = os.environ.get("DOCKER_HOST", "")
    if docker_host not in LOCAL_SOCKETS:
        raise EngineUnavailable(f"the Docker engine at DOCKER_HOST={docker_host} does not answer; "
                                "start it or unset DOCKER_HOST")
    how = "started"
    with progress.task("engine"):
        if not host.which("dockerd"):
            progress.current().update("installing docker.io with apt")
            _install_docker(host)
            how = "installed"
        progress.current().update("starting dockerd")
        _start_dockerd(settings, host)
    return how


def _install_docker(host: Host) -> None:
    if host.euid() != 0 or not host.which("apt-get"):
        raise EngineUnavailable(f"no Docker engine answers and dockerd is not installed: {INSTALL_HINT}")
    apt_install(host, "docker.io")


def apt_install(host: Host, package: str) -> None:
    """Installs a Debian package with apt (root only; the caller checks); raises
    EngineUnavailable naming the apt command that failed and its last line."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"],
                    ["apt-get", "install", "-y", "-qq", "--no-install-recommends", package]):
        done = host.run(command, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            raise EngineUnavailable(f"`{' '.join(command)}` failed: {last[0]}")


def _start_dockerd(settings: Settings, host: Host) -> None:
    if host.euid() != 0:
        raise EngineUnavailable("dockerd is installed but not running, and only root can start it: "
                                "start the Docker service (e.g. `sudo systemctl start docker`)")
    log_path = settings.dockerd_log
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        # A session of its own: dockerd must outlive this process and ignore its Ctrl-C.
        host.popen(["dockerd"], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                   start_new_session=True)
    if wait_until(host.ping, settings.engine_timeout):
        return
    raise EngineUnavailable(f"dockerd did not answer within {settings.engine_timeout:g}s; "
                            f"last log line: {_last_line(log_path)} (log: {log_path})")


def _last_line(path: Path) -> str:
    try:
        lines = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return "no log"
    return lines[-1] if lines else "no log"
