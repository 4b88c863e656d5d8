"""A second Docker engine for a benchmark or a test: its own dockerd on its own socket, data root and
exec root and its own network namespace (no bridge, no iptables: it only stores and
loads images), stopped and its data removed on leaving.

The namespace is not optional: a dockerd started with `--bridge none` deletes the host's
`docker0` at start-up, which takes the bridge network from the engine every other test
uses."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from pathlib import Path
from typing import Iterator

import docker


@contextlib.contextmanager
def second_engine(root: Path, deadline_s: float = 60.0) -> Iterator[str]:
    """Yields the DOCKER_HOST of a fresh engine under `root`; raises RuntimeError (with
    its log) when it does not answer within `deadline_s`."""
    root.mkdir(parents=True, exist_ok=True)
    socket = f"unix://{root}/docker.sock"
    log = open(root / "dockerd.log", "w")
    daemon = subprocess.Popen(["unshare", "--net", "dockerd", "--host", socket, "--data-root", str(root / "data"),
                               "--exec-root", str(root / "exec"), "--pidfile", str(root / "docker.pid"), "--bridge", "none",
                               "--iptables=false", "--ip6tables=false"], stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait(socket, daemon, root, deadline_s)
        yield socket
    finally:
        daemon.terminate()
        try:
            daemon.wait(timeout=30)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait(timeout=10)
        log.close()
        shutil.rmtree(root / "data", ignore_errors=True)


def _wait(socket: str, daemon: subprocess.Popen, root: Path, deadline_s: float) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if daemon.poll() is not None:
            break
        try:
            docker.DockerClient(base_url=socket, timeout=5).ping()
            return
        except Exception:
            time.sleep(0.2)  # polling a daemon's socket, bounded by the deadline
    raise RuntimeError(f"the second dockerd did not answer: {(root / 'dockerd.log').read_text()[-1500:]}")
