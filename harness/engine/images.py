"""Resolve every image the stack needs: local, else pulled, else built offline.

Each image has an official reference and an offline recipe. Resolution order, for the
"auto" policy: the official image present locally -> our offline build present with the
current context hash -> a pull of the official image (bounded by `pull_timeout`) -> an
offline build. Offline builds are labelled with a hash of their build context (plus the
identity of their base) and are rebuilt only when that hash changes.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import docker
import docker.errors
import requests.exceptions

from runbook_drill.harness import progress
from runbook_drill.harness.engine.aptconfig import debian_mirror
from runbook_drill.harness.errors import ImageUnavailable
from runbook_drill.harness.engine.resources import CONTEXT_HASH_LABEL
from runbook_drill.harness.settings import Settings
from runbook_drill.harness.engine.recipes import SPECS, ImageSpec, ResolvedImage, image_labels, user_api_recipe  # noqa: F401
from runbook_drill.harness.engine.wheelhouse import build_wheelhouse

log = logging.getLogger("drill.images")

def build_user_api(resolver: "ImageResolver", source: Path, tag: str) -> str:
    """Builds a User API image from a tree laid out like this repository as `tag` (a
    candidate for release validation, a mutant); returns the tag. Raises ConfigError
    for a tree that is not laid out so, ImageUnavailable when the build fails (with its log)."""
    recipe = user_api_recipe(source)
    base = resolver.resolve(recipe.base)
    recipe.build(resolver, tag, image_labels(recipe.context_hash(base)), base)
    return tag


def _describe(name: str, ref: str, source: str, image, seconds: float = 0.0,
              detail: str = "") -> ResolvedImage:
    return ResolvedImage(name=name, ref=ref, source=source, image_id=image.id,
                         size=int(image.attrs.get("Size", 0)), created=image.attrs.get("Created", ""),
                         seconds=seconds, detail=detail)


class ImageResolver:
    """Resolves images by name (memoised per instance); see the module docstring for order."""

    def __init__(self, client: docker.DockerClient, settings: Settings) -> None:
        self.client = client
        self.settings = settings
        self._resolved: dict[str, ResolvedImage] = {}

    def resolve(self, name: str, build: bool = True) -> ResolvedImage:
        """Returns the resolved image; with build=False nothing is pulled or built.

        Raises ImageUnavailable when the image cannot be had under the image policy.
        """
        if name not in SPECS:
            raise ImageUnavailable(f"unknown image {name!r}; known: {', '.join(SPECS)}")
        return self.resolve_spec(SPECS[name], build)

    def resolve_spec(self, spec: ImageSpec, build: bool = True) -> ResolvedImage:
        """Returns the resolved image of any spec (the project's or a caller's own)."""
        if spec.name not in self._resolved:
            self._resolved[spec.name] = self._resolve(spec, build)
        return self._resolved[spec.name]

    def resolve_all(self, build: bool = True, workers: int = 3) -> list[ResolvedImage]:
        """Resolves every image (bases first, the rest in parallel); never raises for one
        image: an image that cannot be had comes back with source "unavailable"."""
        bases = [s.name for s in SPECS.values() if s.recipe.base is None]
        rest = [s.name for s in SPECS.values() if s.recipe.base is not None]
        with progress.task("images", f"{len(SPECS)} to resolve"):
            results = {name: self._try(name, build) for name in bases}
            with ThreadPoolExecutor(max_workers=workers) as pool:
                results.update(zip(rest, pool.map(lambda n: self._try(n, build), rest)))
        return [results[name] for name in SPECS]

    def _try(self, name: str, build: bool) -> ResolvedImage:
        try:
            return self.resolve(name, build)
        except ImageUnavailable as exc:
            spec = SPECS[name]
            return ResolvedImage(name=name, ref=spec.official or spec.built_tag, source="unavailable",
                                 detail=str(exc))

    def _resolve(self, spec: ImageSpec, build: bool) -> ResolvedImage:
        official = self._local(spec.official) if spec.official else None
        if official is not None:
            return _describe(spec.name, spec.official, "local", official)
        base = self.resolve(spec.recipe.base, build) if spec.recipe.base else None
        wanted = spec.recipe.context_hash(base)
        built = self._local(spec.built_tag)
        if wanted and built is not None and built.labels.get(CONTEXT_HASH_LABEL) == wanted:
            return _describe(spec.name, spec.built_tag, "built offline", built, detail=wanted)
        if not build or self.settings.image_policy == "local":
            raise ImageUnavailable(f"image {spec.name} is not present locally "
                                   f"({spec.official} or {spec.built_tag} at {wanted or 'n/a'})")
        progress.current().update(f"{spec.name}: pulling {spec.official}" if spec.official else
                                  f"{spec.name}: building offline")
        if spec.official and self.settings.image_policy == "auto" and self._pull(spec.official):
            return _describe(spec.name, spec.official, "pulled", self.client.images.get(spec.official))
        return self._build(spec, wanted, base, previous=built)

    def _local(self, ref: str):
        try:
            return self.client.images.get(ref)
        except docker.errors.ImageNotFound:
            return None

    def _pull(self, ref: str) -> bool:
        """Returns True when `ref` was pulled; a registry that cannot be reached is False."""
        repository, _, tag = ref.rpartition(":")
        puller = docker.from_env(timeout=self.settings.pull_timeout)
        try:
            for event in puller.api.pull(repository, tag=tag, stream=True, decode=True):
                if "error" in event:
                    log.info("pull %s: %s", ref, event["error"])
                    return False
            return True
        except (docker.errors.APIError, requests.exceptions.RequestException) as exc:
            log.info("pull %s failed: %s", ref, getattr(exc, "explanation", None) or exc)
            return False
        finally:
            puller.close()

    def _build(self, spec: ImageSpec, wanted: str, base: ResolvedImage | None, previous) -> ResolvedImage:
        started = time.monotonic()
        log.info("building %s offline (context %s)", spec.name, wanted)
        progress.current().update(f"{spec.name}: building offline")
        spec.recipe.build(self, spec.built_tag, image_labels(wanted), base)
        image = self.client.images.get(spec.built_tag)
        if previous is not None and previous.id != image.id:
            self._remove_quietly(previous.id)
        return _describe(spec.name, spec.built_tag, "built offline", image,
                         seconds=time.monotonic() - started, detail=wanted)

    def _remove_quietly(self, image_id: str) -> None:
        try:
            self.client.images.remove(image_id)
        except docker.errors.APIError:
            pass  # still used by a container or another tag: leave it

    # Builders used by the recipes -------------------------------------------------

    def build_log(self, tag: str) -> Path:
        """Returns the file that holds the full output of the build of `tag`."""
        logs = self.settings.state_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        return logs / (tag.replace("/", "_").replace(":", "_") + ".build.log")

    def wheelhouse(self, requirements: Path) -> Path:
        """Returns the host-built wheelhouse for `requirements` (cached in the state dir)."""
        return build_wheelhouse(requirements, self.settings.cache_dir / "wheelhouse")

    def docker_build(self, context: Path, tag: str, labels: dict[str, str],
                     buildargs: dict[str, str], dockerfile: str = "Dockerfile") -> None:
        """Builds `context` as `tag`; raises ImageUnavailable with the failing step's output."""
        log_path = self.build_log(tag)
        with open(log_path, "w") as out:
            stream = self.client.api.build(path=str(context), dockerfile=dockerfile, tag=tag, labels=labels,
                                           buildargs=buildargs,
                                           rm=True, forcerm=True, pull=False, decode=True)
            for event in stream:
                text = event.get("stream") or event.get("status") or ""
                out.write(text)
                if text.startswith("Step "):  # "Step 3/9 : RUN ...": the build's position
                    progress.current().update(f"{tag}: {text.strip()[:100]}")
                if "error" in event:
                    raise ImageUnavailable(f"offline build of {tag} failed: {event['error'].strip()} "
                                           f"(log: {log_path})")

    def debootstrap_import(self, variant: str, tag: str, labels: dict[str, str]) -> None:
        """Builds a Debian root file system with debootstrap and imports it as `tag`.

        Raises ImageUnavailable when debootstrap or a Debian mirror is not available.
        """
        suite = self.settings.debian_suite
        mirror = self.settings.debian_mirror or debian_mirror(suite)
        if mirror is None:
            raise ImageUnavailable(f"cannot build the Debian base offline: no mirror for {suite} in "
                                   "the apt configuration; set DRILL_DEBIAN_MIRROR")
        _ensure_debootstrap()
        scratch = self.settings.cache_dir / "tmp"
        scratch.mkdir(parents=True, exist_ok=True)
        workdir = Path(tempfile.mkdtemp(prefix="debian-rootfs-", dir=scratch))
        try:
            rootfs, tarball = workdir / "rootfs", workdir / "rootfs.tar"
            progress.current().update(f"{tag}: debootstrap {suite} from {mirror}")
            _run(["debootstrap", f"--variant={variant}", suite, str(rootfs), mirror], self.build_log(tag))
            for leftover in ("var/lib/apt/lists", "var/cache/apt/archives"):
                shutil.rmtree(rootfs / leftover, ignore_errors=True)
                (rootfs / leftover / "partial").mkdir(parents=True)
            _strip_docs(rootfs)
            for path, text in (APT_NO_CACHE, DPKG_NO_DOCS):
                (rootfs / path).write_text(text)
            _run(["tar", "-C", str(rootfs), "-cf", str(tarball), "."], self.build_log(tag), append=True)
            changes = ['CMD ["bash"]', "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
            changes += [f"LABEL {key}={value}" for key, value in labels.items()]
            repository, _, image_tag = tag.rpartition(":")
            self.client.api.import_image_from_file(str(tarball), repository=repository, tag=image_tag,
                                                   changes=changes)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


# apt in every image built FROM the base keeps no package cache (no .deb, no pkgcache.bin:
# 80-150 MB an image, a quarter of the image cache that a fresh engine loads), as
# Debian's own container images are configured.
_CLEAN = "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"
APT_NO_CACHE = ("etc/apt/apt.conf.d/docker-clean",
                f'DPkg::Post-Invoke {{ "{_CLEAN}"; }};\nAPT::Update::Post-Invoke {{ "{_CLEAN}"; }};\n'
                'Dir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n')


# Nor documentation, manual pages or message translations, in the base or installed
# later (as slim images do; copyright files kept): 48 MB in the base, 10-25 an image.
DOCS = ("usr/share/doc", "usr/share/man", "usr/share/info", "usr/share/locale")
DPKG_NO_DOCS = ("etc/dpkg/dpkg.cfg.d/excludes",
                "".join(f"path-exclude=/{path}/*\n" for path in DOCS) + "path-include=/usr/share/doc/*/copyright\n")


def _strip_docs(rootfs: Path) -> None:
    """Empties the DOCS directories of a root file system, copyright files kept."""
    for directory in DOCS:
        for entry in (rootfs / directory).glob("*"):
            if directory == "usr/share/doc" and _is_dir(entry):
                for inner in entry.iterdir():
                    if inner.name != "copyright":
                        _remove(inner)
            else:
                _remove(entry)


def _is_dir(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def _remove(path: Path) -> None:
    if _is_dir(path):
        shutil.rmtree(path)
    else:
        path.unlink()


def _ensure_debootstrap() -> None:
    if shutil.which("debootstrap"):
        return
    if shutil.which("apt-get") is None:
        raise ImageUnavailable("cannot build the Debian base offline: debootstrap is not installed")
    subprocess.run(["apt-get", "update", "-qq"], capture_output=True)
    done = subprocess.run(["apt-get", "install", "-y", "-qq", "debootstrap"], capture_output=True, text=True)
    if done.returncode != 0 or not shutil.which("debootstrap"):
        raise ImageUnavailable("cannot build the Debian base offline: installing debootstrap failed: "
                               + (done.stderr.strip().splitlines() or ["no output"])[-1])


def _run(command: list[str], log_path: Path, append: bool = False) -> None:
    with open(log_path, "a" if append else "w") as out:
        done = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        raise ImageUnavailable(f"`{' '.join(command[:3])} ...` failed with exit {done.returncode} "
                               f"(log: {log_path})")
