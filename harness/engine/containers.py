"""Testcontainers, configured in one place, and labelled factories for its containers.

Everything the project starts goes through here, so that every container and network
carries the project's labels (see harness.engine.resources) and can always be swept.
"""

from __future__ import annotations

import math
import os

import docker
import docker.errors

from runbook_drill.harness.engine.daemon import LOCAL_SOCKETS
from runbook_drill.harness.engine.resources import run_labels

CFS_PERIOD_US = (10_000, 100_000)  # the scheduler period a quota is given in: at least, at most usually
CFS_PERIOD_MAX_US = 1_000_000  # the engine's longest period: only a quota under 1 ms per 100 ms needs more
CFS_QUOTA_MIN_US = 1_000  # the engine refuses a smaller quota


def least_cpus(longest_stall_s: float) -> float:
    """Returns the smallest CPU limit whose period stalls a throttled request at most
    `longest_stall_s` (and at most the engine's longest period): the engine's least
    quota (1 ms) over that period. Under 0.01 cores only with a stall over 100 ms."""
    period = min(CFS_PERIOD_MAX_US, max(CFS_PERIOD_US[1], int(longest_stall_s * 1_000_000)))
    return CFS_QUOTA_MIN_US / period


def cfs_period_us(cpus: float) -> int:
    """Returns the scheduler period a CPU limit of `cpus` is set in: as short as the
    engine allows (a 1 ms quota at least), within 10-100 ms - longer (up to 1 s) only for
    a limit under 0.01 cores, which a shorter period cannot hold. A throttled process
    waits out the rest of its period: at 100 ms a small quota stalls each request up to
    ~100 ms, which alone can keep a p99 over the runbook's threshold however many
    replicas share the load (Kubernetes' period is configurable for the same reason); a
    caller sets a limit under 0.01 only where its stall is known to fit (`least_cpus`)."""
    if cpus <= 0:
        return CFS_PERIOD_US[1]
    longest = CFS_PERIOD_US[1] if cpus >= CFS_QUOTA_MIN_US / CFS_PERIOD_US[1] else CFS_PERIOD_MAX_US
    return int(min(longest, max(CFS_PERIOD_US[0], math.ceil(CFS_QUOTA_MIN_US / cpus))))


def cpus_of(host_config: dict) -> float:
    """Returns the CPU limit a container's HostConfig sets, in cores (0: none)."""
    quota, period = host_config.get("CpuQuota") or 0, host_config.get("CpuPeriod") or 100_000
    return quota / period if quota > 0 else 0.0


POSTGRES_USER = "drill"
POSTGRES_PASSWORD = "drill"
POSTGRES_DB = "users"


def configure_testcontainers(client: docker.DockerClient) -> dict[str, str]:
    """Sets Testcontainers up for this machine and returns what was chosen.

    - TC_HOST=127.0.0.1 for a local engine, so mapped ports are reached on loopback
      (without it Testcontainers may hand out the bridge gateway).
    - Ryuk only when its image is already present: it cannot be pulled on an air-gapped
      host, and the project's own labels and sweeps guarantee cleanup either way.
    """
    from testcontainers.core.config import ConnectionMode
    from testcontainers.core.config import testcontainers_config as tc

    if os.environ.get("DOCKER_HOST", "") in LOCAL_SOCKETS and not tc.tc_host_override:
        tc.tc_host_override = "127.0.0.1"
        # Inside a container (CI sandboxes) Testcontainers would pick the network's gateway
        # address; the mapped ports are on the host's loopback, so say so.
        if not os.environ.get("TESTCONTAINERS_CONNECTION_MODE"):
            tc.connection_mode_override = ConnectionMode.docker_host
    if os.environ.get("TESTCONTAINERS_RYUK_DISABLED") is None:
        tc.ryuk_disabled = not _image_present(client, tc.ryuk_image)
    return {"tc_host": str(tc.tc_host_override), "ryuk": "off" if tc.ryuk_disabled else "on"}


def _image_present(client: docker.DockerClient, ref: str) -> bool:
    try:
        client.images.get(ref)
        return True
    except docker.errors.ImageNotFound:
        return False


def postgres_container(image: str):
    """Returns a labelled, unstarted PostgresContainer for `image` (official contract)."""
    from testcontainers.community.postgres import PostgresContainer

    return PostgresContainer(image, username=POSTGRES_USER, password=POSTGRES_PASSWORD,
                             dbname=POSTGRES_DB, driver=None, labels=run_labels())


def redis_container(image: str, password: str | None = None):
    """Returns a labelled, unstarted RedisContainer for `image` (official contract)."""
    from testcontainers.community.redis import RedisContainer

    return RedisContainer(image, password=password, labels=run_labels())


def generic_container(image: str, **docker_kwargs):
    """Returns a labelled, unstarted DockerContainer for `image` (extra keyword arguments
    go to Docker's create, e.g. mem_limit or restart_policy)."""
    from testcontainers.core.container import DockerContainer

    return DockerContainer(image, labels=run_labels(), **docker_kwargs)


def network():
    """Returns a labelled, uncreated Testcontainers Network."""
    from testcontainers.core.network import Network

    return Network(docker_network_kw={"labels": run_labels()})


def published_port(wrapped, port: int) -> int | None:
    """Returns the loopback port Docker publishes for a docker-py container's `port`
    (its attributes as last loaded), or None when none is published (stopped)."""
    bindings = (wrapped.attrs["NetworkSettings"].get("Ports") or {}).get(f"{port}/tcp") or []
    for binding in bindings:
        if binding.get("HostIp") in ("0.0.0.0", "127.0.0.1", ""):
            return int(binding["HostPort"])
    return None
