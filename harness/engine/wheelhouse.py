"""Host-built wheelhouses for the project's Python images.

Containers here cannot reach the Python package index, so the host downloads wheels for
the images' interpreter (CPython 3.11 on Linux, this machine's architecture) and the
image installs them with `pip install --no-index`. Wheels are chosen for the target,
not for the host's interpreter, so a host on another Python still builds right images.
A wheelhouse is cached under the state directory by the hash of its requirements.
"""

from __future__ import annotations

import fcntl
import hashlib
import platform
import shutil
import subprocess
import sys
from pathlib import Path

from runbook_drill.harness.errors import ImageUnavailable

# The oldest 3.11 the images run (Debian bookworm's), so markers like
# python_full_version < "3.11.3" pick the wheels it needs.
TARGET_PYTHON = "3.11.2"
# Oldest first; pip accepts a wheel tagged with any of them.
MANYLINUX = ("manylinux2014", "manylinux_2_17", "manylinux_2_28", "manylinux_2_31", "manylinux_2_34",
             "manylinux_2_36")


def platform_flags() -> list[str]:
    arch = platform.machine()
    flags = []
    for tag in MANYLINUX:
        flags += ["--platform", f"{tag}_{arch}"]
    return flags


def requirements_hash(requirements: str) -> str:
    """Returns the cache key of a requirements text (comments and order ignored)."""
    lines = sorted(line.split("#", 1)[0].strip() for line in requirements.splitlines())
    return hashlib.sha256("\n".join(l for l in lines if l).encode()).hexdigest()[:16]


def build_wheelhouse(requirements_file: Path, cache_dir: Path) -> Path:
    """Returns a directory of wheels that satisfies `requirements_file` for the images.

    Reuses a complete cached wheelhouse; raises ImageUnavailable with pip's last line
    when a requirement has no wheel for the target or the index cannot be reached.
    """
    key = requirements_hash(requirements_file.read_text())
    dest = cache_dir / key
    cache_dir.mkdir(parents=True, exist_ok=True)
    # One builder per wheelhouse at a time, across threads and processes.
    with open(cache_dir / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (dest / ".complete").exists():
            _download(requirements_file, dest)
    return dest


def _download(requirements_file: Path, dest: Path) -> None:
    partial = dest.with_name(dest.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    command = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "-q",
               "--only-binary=:all:", "--python-version", TARGET_PYTHON, "--implementation", "cp",
               *platform_flags(), "-d", str(partial), "-r", str(requirements_file)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        last = [l for l in done.stderr.splitlines() if l.startswith("ERROR")][-1:] or ["no output"]
        raise ImageUnavailable(f"wheelhouse for {requirements_file}: {last[0]}")
    (partial / ".complete").touch()
    shutil.rmtree(dest, ignore_errors=True)
    partial.rename(dest)
