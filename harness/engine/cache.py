"""The image cache a CI runner restores and saves: every image the stack needs in one
directory, so a fresh engine loads in seconds what it would build in minutes.

One tar holds every image (`docker save` of them all: layers shared between images are
stored once) with an index keyed by each image's recipe: its context hash when built
offline (the label the resolver compares), its reference when official. On load, an
image whose recipe changed since the save is untagged at once - it is rebuilt by the
resolver, never used stale."""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from runbook_drill.harness.engine.recipes import SPECS
from runbook_drill.harness.engine.resources import CONTEXT_HASH_LABEL
from runbook_drill.harness.errors import ConfigError, HarnessError, ImageUnavailable

INDEX, ARCHIVE = "index.json", "images.tar"
FORMAT = 1


@dataclass
class Line:
    """What happened to one image: saved, loaded, present, stale (rebuilt), missing."""

    name: str
    ref: str
    outcome: str
    size: int = 0
    seconds: float = 0.0

    def __str__(self) -> str:
        size = f"{self.size / 1e6:.0f}MB" if self.size else "-"
        return f"{self.name:<13} {self.outcome:<28} {size:>7} {self.seconds:6.1f}s  {self.ref}"


def _docker(args: list[str], what: str) -> float:
    """Runs the docker CLI (the engine of DOCKER_HOST, as the session's); returns its
    seconds. Raises HarnessError with its stderr when it fails."""
    started = time.monotonic()
    done = subprocess.run(["docker", *args], capture_output=True, text=True, env=os.environ.copy())
    if done.returncode:
        last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"
        raise HarnessError(f"{what}: {last}")
    return time.monotonic() - started


def read_index(directory: Path) -> dict:
    """Returns a cache directory's index; raises ConfigError (one line) for a directory
    that is not an image cache."""
    if not directory.is_dir():
        raise ConfigError(f"--load {directory}: no such directory")
    try:
        index = json.loads((directory / INDEX).read_text())
        if index.get("format") != FORMAT or not (directory / ARCHIVE).is_file():
            raise ValueError("another format, or no archive")
        return index
    except (OSError, ValueError, AttributeError) as exc:
        raise ConfigError(f"--load {directory}: not an image cache of `drill images --save` ({exc})") from None


def _entry(image) -> dict:
    """Returns one image's index entry: the key its recipe has now, and what it is."""
    return {"ref": image.ref, "key": image.detail if image.source == "built offline" else image.ref,
            "image_id": image.image_id, "size": image.size}


def save(resolver, client, directory: Path) -> list[Line]:
    """Saves every image the stack needs (resolved without building: they must exist)
    into `directory`; an unchanged cache is left as it is. Returns a line per image.
    Raises ConfigError for a directory that cannot be one, ImageUnavailable for a
    missing image (run `drill setup` first)."""
    if directory.exists() and not directory.is_dir():
        raise ConfigError(f"--save {directory}: not a directory")
    images = [resolver.resolve(name, build=False) for name in SPECS]
    entries = {image.name: _entry(image) for image in images}
    try:
        if read_index(directory)["images"] == entries:
            return [Line(i.name, i.ref, "up to date (not saved again)", i.size) for i in images]
    except ConfigError:
        pass
    directory.mkdir(parents=True, exist_ok=True)
    partial = directory / (ARCHIVE + ".partial")
    seconds = _docker(["save", "-o", str(partial), *[i.ref for i in images]], "docker save")
    partial.replace(directory / ARCHIVE)
    (directory / INDEX).write_text(json.dumps({"format": FORMAT, "images": entries}, indent=1) + "\n")
    archive = (directory / ARCHIVE).stat().st_size
    return [Line(i.name, i.ref, "saved", i.size) for i in images] + [Line("(archive)", str(directory / ARCHIVE),
                                                                           "written", archive, seconds)]


def _stale(resolver, client, name: str, entry: dict) -> bool:
    """True when the loaded image `name` is not what its recipe builds now: then its tag
    is removed (the resolver rebuilds it; nothing runs it stale)."""
    try:
        resolver.resolve(name, build=False)
        return False
    except ImageUnavailable:
        pass
    try:
        image = client.images.get(entry["ref"])
        if image.labels.get(CONTEXT_HASH_LABEL) is not None:
            client.images.remove(entry["ref"])
    except Exception:  # not loaded at all: missing, the resolver builds it
        pass
    return True


def load(resolver, client, directory: Path) -> list[Line]:
    """Loads the cache into the engine; untags every image whose recipe changed since.
    Returns a line per image (loaded, or stale: to be rebuilt). Raises ConfigError for a
    directory that is not a cache, HarnessError when the engine cannot load it."""
    index = read_index(directory)
    seconds = _docker(["load", "-q", "-i", str(directory / ARCHIVE)], "docker load")
    lines = [Line("(archive)", str(directory / ARCHIVE), "read", (directory / ARCHIVE).stat().st_size, seconds)]
    for name in SPECS:
        entry = index["images"].get(name)
        if entry is None:
            lines.append(Line(name, SPECS[name].built_tag, "not in the cache: to be built"))
        elif _stale(resolver, client, name, entry):
            lines.append(Line(name, entry["ref"], "recipe changed: to be rebuilt", entry["size"]))
        else:
            lines.append(Line(name, entry["ref"], "loaded", entry["size"]))
    return lines
