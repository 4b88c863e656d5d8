"""Labels on everything the project creates, and the sweeps that remove it again.

Every container and network carries PROJECT_LABEL, the id of the run that made it and
its owner (host, pid and the pid's start time, so a recycled pid is not mistaken for a
live owner). A run whose owner process is gone - SIGKILL, a crash, a lost machine
session - is stale; `sweep_stale` removes its resources at the start of the next run,
and `clean` removes every resource of the project.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import docker
import docker.errors

PROJECT_LABEL = "org.runbook-drill.project"
RUN_LABEL = "org.runbook-drill.run"
OWNER_LABEL = "org.runbook-drill.owner"
CONTEXT_HASH_LABEL = "org.runbook-drill.context-hash"
PROJECT = "runbook-drill"

RUN_ID = uuid.uuid4().hex[:12]


def _start_ticks(pid: int) -> str | None:
    """Returns the process start time in clock ticks since boot, or None if no such pid."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Field 22; the command name (field 2) may hold spaces, so split after its ')'.
    return stat.rsplit(")", 1)[1].split()[19]


def owner_of(pid: int) -> str:
    """Returns the owner label value for a live process: host:pid:start-ticks."""
    return f"{socket.gethostname()}:{pid}:{_start_ticks(pid)}"


def owner_alive(owner: str) -> bool:
    """Returns False only when the owner is on this host and its process is gone.

    Owners on other hosts (a shared remote engine) count as alive: we cannot tell.
    """
    host, _, rest = owner.partition(":")
    pid_text, _, ticks = rest.partition(":")
    if host != socket.gethostname():
        return True
    return pid_text.isdigit() and _start_ticks(int(pid_text)) == ticks


def run_labels(pid: int | None = None) -> dict[str, str]:
    """Returns the labels for a container or network made by this run."""
    return {PROJECT_LABEL: PROJECT, RUN_LABEL: RUN_ID, OWNER_LABEL: owner_of(pid or os.getpid())}


@dataclass
class Swept:
    """What a sweep removed (names), and what it could not remove (name: reason)."""

    containers: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    def total(self) -> int:
        return len(self.containers) + len(self.networks) + len(self.images)


def _project_filter() -> dict[str, str]:
    return {"label": f"{PROJECT_LABEL}={PROJECT}"}


def _run_containers_filter() -> dict[str, list[str]]:
    """The containers runs made: the project label *and* a run label. The project label
    alone would also match containers others started from the images drill built (they
    carry it): a team's compose stack is not drill's to remove."""
    return {"label": [f"{PROJECT_LABEL}={PROJECT}", RUN_LABEL]}


def _is_stale(labels: dict[str, str]) -> bool:
    return not owner_alive(labels.get(OWNER_LABEL, ""))


def _remove_containers(client: docker.DockerClient, stale_only: bool, swept: Swept) -> None:
    for container in client.containers.list(all=True, filters=_run_containers_filter()):
        if stale_only and not _is_stale(container.labels):
            continue
        try:
            container.remove(force=True, v=True)
            swept.containers.append(container.name)
        except docker.errors.NotFound:
            pass  # removed by its owner meanwhile
        except docker.errors.APIError as exc:
            swept.failed[container.name] = str(exc.explanation or exc)


def _remove_networks(client: docker.DockerClient, stale_only: bool, swept: Swept) -> None:
    for network in client.networks.list(filters=_project_filter()):
        if stale_only and not _is_stale(network.attrs.get("Labels") or {}):
            continue
        try:
            network.remove()
            swept.networks.append(network.name)
        except docker.errors.NotFound:
            pass
        except docker.errors.APIError as exc:
            swept.failed[network.name] = str(exc.explanation or exc)


def _remove_images(client: docker.DockerClient, swept: Swept) -> None:
    for image in client.images.list(filters=_project_filter()):
        name = image.tags[0] if image.tags else image.short_id
        try:
            client.images.remove(image.id, force=True)
            swept.images.append(name)
        except docker.errors.NotFound:
            pass
        except docker.errors.APIError as exc:
            swept.failed[name] = str(exc.explanation or exc)


def sweep_stale(client: docker.DockerClient) -> Swept:
    """Removes containers and networks of runs whose owner process is gone; returns them."""
    swept = Swept()
    _remove_containers(client, stale_only=True, swept=swept)
    _remove_networks(client, stale_only=True, swept=swept)
    return swept


def clean(client: docker.DockerClient, images: bool = False) -> Swept:
    """Removes every project container and network (and built image when `images`)."""
    swept = Swept()
    _remove_containers(client, stale_only=False, swept=swept)
    _remove_networks(client, stale_only=False, swept=swept)
    if images:
        _remove_images(client, swept)
    return swept


def leftovers(client: docker.DockerClient, run_id: str | None = None) -> list[str]:
    """Returns "kind name" for every project container and network that still exists
    (only those of `run_id` when given)."""
    filters = {"label": f"{RUN_LABEL}={run_id}"} if run_id else _project_filter()
    containers = {"label": f"{RUN_LABEL}={run_id}"} if run_id else _run_containers_filter()
    names = [f"container {c.name}" for c in client.containers.list(all=True, filters=containers)]
    names += [f"network {n.name}" for n in client.networks.list(filters=filters)]
    return names
