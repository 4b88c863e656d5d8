"""A docker-compose project of the repository's docker-compose.yml for tests: run from a
copy of the file and what it mounts (the env file drill writes stays out of the
checkout), on free loopback ports, driven through the `drill` console script."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
# The console script, as a user runs it: `python -m` would import the copy's harness/
# directory (config files only) from the working directory instead of the package.
DRILL = str(Path(sys.executable).parent / "drill")


def env(project: str, **extra: str) -> dict[str, str]:
    return {**os.environ, "COMPOSE_PROJECT_NAME": project, "DRILL_LB_BIND": "127.0.0.1:",
            "DRILL_PROMETHEUS_BIND": "127.0.0.1:", "DRILL_TOXIPROXY_BIND": "127.0.0.1:", **extra}


def drill(cwd: Path, project: str, *args: str, timeout: float = 600, **extra_env: str) -> subprocess.CompletedProcess:
    return subprocess.run([DRILL, *args], cwd=cwd, env=env(project, **extra_env), text=True,
                          capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)


def mounted_files() -> list[str]:
    """Returns every checkout path the compose file mounts ("./x:/y:ro" -> "x")."""
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    mounts = [volume.split(":")[0] for service in services.values() for volume in service.get("volumes", [])]
    return sorted({mount[2:] for mount in mounts if mount.startswith("./")})


def copy_project(here: Path) -> Path:
    """Copies docker-compose.yml and the files it mounts into `here`; returns `here`."""
    shutil.copy(ROOT / "docker-compose.yml", here)
    shutil.copytree(ROOT / "compose", here / "compose")
    for path in mounted_files():
        (here / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / path, here / path)
    return here
