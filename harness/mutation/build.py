"""Mutant images: the repository's services/ copied, one mutant's patch applied, built
as the User API is (Docker's layer cache keeps the dependencies; only the patched code
is new). Tagged by mutant and source hash, so a mutant is built once per change of its
patch or of the services; older builds of the same mutant are removed."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import docker.errors

from runbook_drill.harness import progress
from runbook_drill.harness.engine.images import ImageResolver, build_user_api, user_api_recipe
from runbook_drill.harness.engine.recipes import SERVICES_DIR
from runbook_drill.harness.engine.resources import CONTEXT_HASH_LABEL
from runbook_drill.harness.errors import ConfigError
from runbook_drill.harness.mutation.catalog import Mutant

REPOSITORY = "runbook-drill/user-api-mutant"


def patched_tree(mutant: Mutant, into: Path, services: Path = SERVICES_DIR) -> Path:
    """Copies `services` into `into` and applies the mutant's patch there; returns
    `into`. Raises ConfigError (one line, git's reason) when the patch does not apply."""
    shutil.copytree(services, into / "services", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    done = subprocess.run(["git", "apply", "--whitespace=nowarn", "-"], cwd=into, input=mutant.patch,
                          text=True, capture_output=True)
    if done.returncode != 0:
        reason = " ".join(done.stderr.split())[:300]
        raise ConfigError(f"mutant {mutant.id} does not apply to services/ ({mutant.path}): {reason}")
    return into


def check_applies(mutant: Mutant) -> None:
    """Raises ConfigError (one line) unless the mutant's patch applies to services/."""
    with tempfile.TemporaryDirectory(prefix="drill-mutant-") as scratch:
        patched_tree(mutant, Path(scratch))


def build(resolver: ImageResolver, mutant: Mutant) -> tuple[str, bool]:
    """Returns (the mutant's image tag, whether it was built now: False when the same
    source was built before). Raises ConfigError when the patch does not apply,
    ImageUnavailable when the build fails."""
    with tempfile.TemporaryDirectory(prefix="drill-mutant-") as scratch:
        tree = patched_tree(mutant, Path(scratch))
        recipe = user_api_recipe(tree)
        digest = recipe.context_hash(resolver.resolve(recipe.base))
        tag = f"{REPOSITORY}:{mutant.id}-{digest[:12]}"
        if _built(resolver.client, tag, digest):
            return tag, False
        progress.current().update(f"building mutant {mutant.id}")
        build_user_api(resolver, tree, tag)
    _remove_older(resolver.client, mutant.id, tag)
    return tag, True


def _built(client, tag: str, digest: str) -> bool:
    try:
        return client.images.get(tag).labels.get(CONTEXT_HASH_LABEL) == digest
    except docker.errors.ImageNotFound:
        return False


def _remove_older(client, mutant_id: str, keep: str) -> None:
    """Removes this mutant's builds of earlier sources (the cache holds one per mutant)."""
    for image in client.images.list(name=REPOSITORY):
        stale = [t for t in image.tags if t.startswith(f"{REPOSITORY}:{mutant_id}-") and t != keep]
        for tag in stale:
            try:
                client.images.remove(tag)
            except docker.errors.APIError:
                pass  # in use by a container of another run: removed by a later build or `drill clean --images`
