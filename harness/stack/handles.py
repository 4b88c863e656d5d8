"""What the stack does to a container it holds, whoever started it (Testcontainers or
docker-compose): its loopback address, running it again, removing it, and running
actions on many at once."""

from __future__ import annotations

import concurrent.futures

from runbook_drill.harness.engine.containers import published_port
from runbook_drill.harness.errors import HarnessError


def host_port(container, port: int) -> int:
    """Returns the loopback port Docker maps to the container's `port`, read at once (no
    wait for "running", so a paused container still has its address). Raises
    HarnessError for a container with no mapped port (stopped)."""
    wrapped = container.get_wrapped_container()
    wrapped.reload()
    found = published_port(wrapped, port)
    if found is None:
        raise HarnessError(f"{wrapped.name} has no host port for {port} (status {wrapped.status})")
    return found


def url(container, port: int) -> str:
    """Returns http://127.0.0.1:<mapped port> of the container's `port` (see host_port)."""
    return f"http://127.0.0.1:{host_port(container, port)}"


def together(action, items) -> list:
    """Runs `action(item)` for every item in threads at once; returns the results in
    order, or raises the first error - only once every action has ended, even on
    Ctrl-C, so a container being started is registered before cleanup looks."""
    items = list(items)
    if not items:
        return []
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(items), thread_name_prefix="stack") as pool:
        futures = [pool.submit(action, item) for item in items]
        try:
            concurrent.futures.wait(futures)
        except BaseException:
            concurrent.futures.wait(futures)
            raise
    errors = [f.exception() for f in futures if f.exception() is not None]
    if errors:
        raise errors[0]
    return [f.result() for f in futures]


def ensure_running(container) -> None:
    """Makes sure `container` runs and is not paused."""
    wrapped = container.get_wrapped_container()
    wrapped.reload()
    if wrapped.status == "paused":
        wrapped.unpause()
    elif wrapped.status in ("exited", "created"):
        wrapped.start()


def remove_quietly(container) -> None:
    """Removes the container and its volumes; one already gone is fine."""
    import docker.errors

    try:
        container.get_wrapped_container().remove(force=True, v=True)
    except docker.errors.NotFound:
        pass


def logs_of(container, since: float | None = None, timestamps: bool = False) -> str:
    """Returns what `container` wrote to stdout and stderr (since a Unix time, if given)."""
    raw = container.get_wrapped_container().logs(stdout=True, stderr=True, timestamps=timestamps,
                                                 since=int(since) if since else None)
    return raw.decode(errors="replace")
