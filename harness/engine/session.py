"""The start of every run: connect to the engine, configure Testcontainers, sweep what
killed runs left behind, and hand out one image resolver."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import docker
import docker.errors

from runbook_drill.harness.engine.containers import configure_testcontainers
from runbook_drill.harness.errors import EngineUnavailable
from runbook_drill.harness.engine.images import ImageResolver
from runbook_drill.harness.engine.resources import Swept, sweep_stale
from runbook_drill.harness.settings import Settings

log = logging.getLogger("drill.session")


@dataclass
class Session:
    """What a run works with: the Docker client, the image resolver and what was swept."""

    client: docker.DockerClient
    images: ImageResolver
    swept: Swept
    testcontainers: dict[str, str] = field(default_factory=dict)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def connect() -> docker.DockerClient:
    """Returns a client for the engine in the environment; raises EngineUnavailable."""
    try:
        client = docker.from_env(timeout=120)
        client.ping()
        return client
    except docker.errors.DockerException as exc:
        raise EngineUnavailable(f"no Docker engine answers ({exc}); run `drill setup` first") from None


def begin(settings: Settings) -> Session:
    """Returns a Session (a context manager: leaving it closes the client); the stale
    resources of killed runs are removed first. Raises EngineUnavailable."""
    client = connect()
    swept = sweep_stale(client)
    if swept.total():
        log.warning("swept leftovers of killed runs: %s", ", ".join(swept.containers + swept.networks))
    chosen = configure_testcontainers(client)
    return Session(client=client, images=ImageResolver(client, settings), swept=swept, testcontainers=chosen)
