"""The images the stack needs, as data and recipes: each image's official reference and
its offline recipe (a Dockerfile of images/, a Python service of services/ with its
wheelhouse, or a Debian base made with debootstrap), and the content hash a built image
is labelled with - a changed recipe or context is a new hash, so it is rebuilt, never
reused stale. The resolver (images.py) decides which source each image comes from."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from runbook_drill.harness.errors import ConfigError
from runbook_drill.harness.engine.resources import CONTEXT_HASH_LABEL, PROJECT, PROJECT_LABEL
from runbook_drill.harness.packaged import asset
from runbook_drill.harness.settings import Settings

IMAGES_DIR = asset("images")
SERVICES_DIR = asset("services")
EXAMPLES_DIR = asset("examples")
BUILT_REPOSITORY = "runbook-drill"
# Bump when a recipe's steps change in a way its files do not show.
RECIPE_VERSION = "2"  # 2: the Debian base keeps no apt cache


class Builder(Protocol):
    """What a recipe asks of the one building it (images.ImageResolver)."""

    settings: Settings

    def docker_build(self, context: Path, tag: str, labels: dict[str, str], buildargs: dict[str, str],
                     dockerfile: str = "Dockerfile") -> None: ...

    def wheelhouse(self, requirements: Path) -> Path: ...

    def debootstrap_import(self, variant: str, tag: str, labels: dict[str, str]) -> None: ...


@dataclass(frozen=True)
class ResolvedImage:
    """Where one image came from: source is local, pulled, built offline or unavailable."""

    name: str
    ref: str
    source: str
    image_id: str = ""
    size: int = 0
    created: str = ""
    seconds: float = 0.0
    detail: str = ""

    @property
    def available(self) -> bool:
        return self.source != "unavailable"


class Recipe(Protocol):
    """How to build an image offline; `context_hash` decides whether a rebuild is due."""

    base: str | None

    def context_hash(self, base: ResolvedImage | None) -> str: ...

    def build(self, builder: "Builder", tag: str, labels: dict[str, str],
              base: ResolvedImage | None) -> None: ...


def _files(root: Path, include: tuple[str, ...]) -> list[Path]:
    found: set[Path] = set()
    for part in include:
        path = root / part
        found.update([path] if path.is_file() else (p for p in path.rglob("*") if p.is_file()))
    return sorted(p for p in found if "__pycache__" not in p.parts and p.suffix != ".pyc")


def _hash_paths(root: Path, include: tuple[str, ...], extra: str) -> str:
    """Returns a short hash of the files of `include` under `root` (names and bytes)."""
    digest = hashlib.sha256(f"{RECIPE_VERSION}\0{extra}\0".encode())
    for path in _files(root, include):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def hash_tree(root: Path, extra: str) -> str:
    return _hash_paths(root, (".",), extra)


def _base_identity(base: ResolvedImage | None) -> str:
    """A base's identity for a dependant's hash: its own context hash when we built it
    (so a rebuilt-but-identical base does not cascade), else its image id."""
    if base is None:
        return ""
    return base.detail if base.source == "built offline" else base.image_id


@dataclass(frozen=True)
class DockerfileRecipe:
    """A Dockerfile under <root>/<context> (root: images/), built FROM the resolved
    `base` image (given as the build argument BASE)."""

    context: str
    base: str | None = "debian"
    root: Path = IMAGES_DIR

    def context_hash(self, base: ResolvedImage | None) -> str:
        return hash_tree(self.root / self.context, _base_identity(base))

    def build(self, builder: "Builder", tag: str, labels: dict[str, str],
              base: ResolvedImage | None) -> None:
        buildargs = {"BASE": base.ref} if base else {}
        builder.docker_build(self.root / self.context, tag, labels, buildargs)


@dataclass(frozen=True)
class PythonServiceRecipe:
    """A Python service FROM the resolved python image. Only `include` (paths under
    `context`) is hashed and sent to the build, with the dependencies of
    `requirements` as a host-built wheelhouse in `wheels/` beside them."""

    context: Path
    dockerfile: str = "Dockerfile"
    include: tuple[str, ...] = (".",)
    requirements: str = "requirements.txt"
    buildargs: tuple[tuple[str, str], ...] = ()
    base: str | None = "python"

    def context_hash(self, base: ResolvedImage | None) -> str:
        return _hash_paths(self.context, (*self.include, self.dockerfile), f"{_base_identity(base)}{self.buildargs}")

    def build(self, builder: "Builder", tag: str, labels: dict[str, str],
              base: ResolvedImage | None) -> None:
        wheels = builder.wheelhouse(self.context / self.requirements)
        scratch = builder.settings.cache_dir / "tmp"
        scratch.mkdir(parents=True, exist_ok=True)
        staged = Path(tempfile.mkdtemp(prefix="service-context-", dir=scratch))
        try:
            for path in (*self.include, self.dockerfile):
                _copy(self.context / path, staged / path)
            shutil.copytree(wheels, staged / "wheels")
            args = {**dict(self.buildargs), **({"BASE": base.ref} if base else {})}
            builder.docker_build(staged, tag, labels, args, self.dockerfile)
        finally:
            shutil.rmtree(staged, ignore_errors=True)


def _copy(source: Path, target: Path) -> None:
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


@dataclass(frozen=True)
class DebootstrapRecipe:
    """A minimal Debian root file system from debootstrap, imported with `docker import`."""

    variant: str = "minbase"
    base: str | None = None

    def context_hash(self, base: ResolvedImage | None) -> str:
        digest = hashlib.sha256(f"{RECIPE_VERSION}\0debootstrap\0{self.variant}".encode())
        return digest.hexdigest()[:16]

    def build(self, builder: "Builder", tag: str, labels: dict[str, str],
              base: ResolvedImage | None) -> None:
        builder.debootstrap_import(self.variant, tag, labels)


@dataclass(frozen=True)
class ImageSpec:
    """One image the stack needs: its official reference and its offline recipe."""

    name: str
    official: str | None  # None: the project's own image, never pulled
    recipe: Recipe
    purpose: str

    @property
    def built_tag(self) -> str:
        return f"{BUILT_REPOSITORY}/{self.name}:offline"


def _service(package: str, port: int) -> PythonServiceRecipe:
    """The recipe of one of the project's Python services (services/Dockerfile)."""
    return PythonServiceRecipe(SERVICES_DIR, "Dockerfile", ("__init__.py", "common", package, "requirements.txt"),
                               buildargs=(("SERVICE", package), ("PORT", str(port))))


SPECS: dict[str, ImageSpec] = {spec.name: spec for spec in (
    ImageSpec("debian", "debian:bookworm-slim", DebootstrapRecipe(),
              "base of every offline build"),
    ImageSpec("postgres", "postgres:15-bookworm", DockerfileRecipe("postgres"), "user-db"),
    ImageSpec("redis", "redis:7-bookworm", DockerfileRecipe("redis"), "cache"),
    ImageSpec("haproxy", "haproxy:2.6", DockerfileRecipe("haproxy"), "load balancer"),
    ImageSpec("prometheus", "prom/prometheus:v2.42.0", DockerfileRecipe("prometheus"), "alerts"),
    ImageSpec("alertmanager", "prom/alertmanager:v0.25.0", DockerfileRecipe("alertmanager"), "paging"),
    ImageSpec("python", "python:3.11-slim-bookworm", DockerfileRecipe("python"),
              "base of the project's services"),
    ImageSpec("toxiproxy", "ghcr.io/shopify/toxiproxy:2.12.0",
              PythonServiceRecipe(SERVICES_DIR, "faultproxy/Dockerfile",
                                  ("__init__.py", "common", "faultproxy", "requirements.txt")),
              "fault proxy (offline: services/faultproxy, same API)"),
    ImageSpec("user-api", None, _service("user_api", 8000), "the system under test"),
    ImageSpec("auth-api", None, _service("auth_api", 8080), "token issuer and introspection"),
)}


# User APIs of other teams, as examples/ holds them: built on demand (`drill build
# go-user-api`, the tests that run the suite against them), never by `drill setup`.
EXAMPLES: dict[str, ImageSpec] = {spec.name: spec for spec in (
    ImageSpec("go-user-api", None, DockerfileRecipe("go-user-api", root=EXAMPLES_DIR),
              "a User API in Go (examples/go-user-api): Debian's Go packages, no Python"),
)}


def user_api_recipe(source: Path) -> PythonServiceRecipe:
    """Returns the User API's recipe for a tree laid out like this repository (its
    services/Dockerfile, services/common and services/user_api); raises ConfigError
    for a tree that is not laid out so."""
    services = Path(source).resolve() / "services"
    recipe = _service("user_api", 8000)
    missing = [p for p in (*recipe.include, recipe.dockerfile) if not (services / p).exists()]
    if missing:
        raise ConfigError(f"--source {source}: not laid out like this repository: no services/{missing[0]}")
    return PythonServiceRecipe(services, recipe.dockerfile, recipe.include, recipe.requirements,
                               recipe.buildargs, recipe.base)


def image_labels(context_hash: str) -> dict[str, str]:
    """Returns the labels every image we build carries."""
    return {PROJECT_LABEL: PROJECT, CONTEXT_HASH_LABEL: context_hash}
