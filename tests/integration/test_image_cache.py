"""The image cache end to end: every image saved from this engine and loaded into a
fresh one (a second dockerd, its own socket and data root) with nothing rebuilt; an image
whose recipe changed since the save is untagged there, to be rebuilt - never run stale."""

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import docker
import pytest

from runbook_drill.harness.engine import cache
from runbook_drill.harness.engine.images import ImageResolver
from runbook_drill.harness.engine.recipes import SPECS
from runbook_drill.harness.errors import ImageUnavailable
from runbook_drill.harness.settings import load_settings
from bench.engines import second_engine

DRILL = str(Path(sys.executable).with_name("drill"))


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    directory = tmp_path_factory.mktemp("image-cache")
    done = subprocess.run([DRILL, "images", "--save", str(directory)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    yield directory, done.stdout
    for leftover in directory.iterdir():
        leftover.unlink()


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    with second_engine(Path("/tmp") / f"drill-second-engine-{os.getpid()}") as host:
        yield host


class Changed:
    """A recipe as it would be after an edit: the same build, another context hash."""

    def __init__(self, recipe):
        self.recipe, self.base = recipe, recipe.base

    def context_hash(self, base):
        return self.recipe.context_hash(base) + "-edited"

    def build(self, *args):
        return self.recipe.build(*args)


def test_every_image_is_saved_with_a_size_line(saved):
    directory, out = saved
    for name in SPECS:
        assert f"{name} " in out
    assert set(cache.read_index(directory)["images"]) == set(SPECS)


def test_a_fresh_engine_loads_every_image_and_rebuilds_nothing(saved, fresh):
    directory, _ = saved
    env = {**os.environ, "DOCKER_HOST": fresh, "DRILL_IMAGE_POLICY": "local"}
    done = subprocess.run([DRILL, "images", "--load", str(directory)], capture_output=True, text=True, env=env,
                          timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "built in" not in done.stdout and "recipe changed" not in done.stdout
    client = docker.DockerClient(base_url=fresh)
    resolver = ImageResolver(client, load_settings())
    assert all(resolver.resolve(name, build=False).available for name in SPECS)


def test_an_image_whose_recipe_changed_is_untagged_to_be_rebuilt(saved, fresh, monkeypatch):
    directory, _ = saved
    monkeypatch.setitem(SPECS, "redis", dataclasses.replace(SPECS["redis"], recipe=Changed(SPECS["redis"].recipe)))
    monkeypatch.setenv("DOCKER_HOST", fresh)  # the docker CLI that loads must load into the fresh engine
    client = docker.DockerClient(base_url=fresh)
    lines = {line.name: line.outcome for line in cache.load(ImageResolver(client, load_settings()), client, directory)}
    assert lines["redis"] == "recipe changed: to be rebuilt" and lines["postgres"] == "loaded"
    with pytest.raises(docker.errors.ImageNotFound):
        client.images.get(SPECS["redis"].built_tag)
    with pytest.raises(ImageUnavailable):
        ImageResolver(client, load_settings()).resolve("redis", build=False)


def test_the_fresh_engine_leaves_the_host_bridge_of_the_session_engine_in_place(fresh):
    assert Path("/sys/class/net/docker0").exists()
    session = docker.from_env()
    redis = ImageResolver(session, load_settings()).resolve("redis", build=False).ref
    assert session.containers.run(redis, ["true"], remove=True) == b""  # on the default bridge
