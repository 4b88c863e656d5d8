"""Resolution order and rebuild decisions of harness.engine.images, with a fake engine."""

import dataclasses
import itertools

import docker.errors
import pytest

from runbook_drill.harness.errors import ImageUnavailable
from runbook_drill.harness.engine.images import ImageResolver
from runbook_drill.harness.engine.recipes import SPECS, DockerfileRecipe, ResolvedImage, hash_tree
from runbook_drill.harness.engine.resources import CONTEXT_HASH_LABEL
from runbook_drill.harness.settings import Settings

_ids = itertools.count(1)


class FakeImage:
    def __init__(self, labels=None):
        self.id = f"sha256:{next(_ids):064x}"
        self.labels = labels or {}
        self.attrs = {"Size": 1000, "Created": "2026-11-27T10:00:00.000000000Z"}


class FakeImages:
    def __init__(self):
        self.store, self.removed = {}, []

    def get(self, ref):
        if ref not in self.store:
            raise docker.errors.ImageNotFound(ref)
        return self.store[ref]

    def remove(self, image_id):
        self.removed.append(image_id)


class FakeClient:
    def __init__(self):
        self.images = FakeImages()


class RecordingResolver(ImageResolver):
    """Pulls succeed only for `pullable`; builds put a labelled image in the fake store."""

    def __init__(self, client, settings, pullable=()):
        super().__init__(client, settings)
        self.pullable, self.pulls, self.builds = set(pullable), [], []

    def _pull(self, ref):
        self.pulls.append(ref)
        if ref in self.pullable:
            self.client.images.store[ref] = FakeImage()
            return True
        return False

    def wheelhouse(self, requirements):
        return requirements.parent

    def docker_build(self, context, tag, labels, buildargs, dockerfile="Dockerfile"):
        self.builds.append(tag)
        self.client.images.store[tag] = FakeImage(labels)

    def debootstrap_import(self, variant, tag, labels):
        self.builds.append(tag)
        self.client.images.store[tag] = FakeImage(labels)


@pytest.fixture
def client():
    return FakeClient()


def test_an_official_image_present_locally_is_used_without_pull_or_build(client):
    client.images.store["postgres:15-bookworm"] = FakeImage()
    resolver = RecordingResolver(client, Settings())
    assert resolver.resolve("postgres").source == "local"
    assert resolver.pulls == [] and resolver.builds == []


def test_a_missing_image_is_pulled_when_the_registry_answers(client):
    resolver = RecordingResolver(client, Settings(), pullable={"redis:7-bookworm", "debian:bookworm-slim"})
    image = resolver.resolve("redis")
    assert (image.source, image.ref) == ("pulled", "redis:7-bookworm")
    assert resolver.builds == []


def test_without_a_registry_the_base_then_the_image_are_built_offline_and_labelled(client):
    resolver = RecordingResolver(client, Settings())
    image = resolver.resolve("redis")
    assert image.source == "built offline"
    assert resolver.builds == ["runbook-drill/debian:offline", "runbook-drill/redis:offline"]
    assert client.images.store["runbook-drill/redis:offline"].labels[CONTEXT_HASH_LABEL] == image.detail


def test_the_offline_policy_never_pulls(client):
    resolver = RecordingResolver(client, Settings(image_policy="offline"), pullable={"redis:7-bookworm"})
    assert resolver.resolve("redis").source == "built offline"
    assert resolver.pulls == []


def test_the_local_policy_fails_fast_on_a_missing_image(client):
    resolver = RecordingResolver(client, Settings(image_policy="local"))
    with pytest.raises(ImageUnavailable, match="not present locally"):
        resolver.resolve("redis")
    assert resolver.pulls == [] and resolver.builds == []


def test_a_second_resolution_of_unchanged_images_builds_nothing(client):
    RecordingResolver(client, Settings()).resolve_all()
    again = RecordingResolver(client, Settings())
    rows = again.resolve_all()
    assert again.builds == []
    assert {r.source for r in rows} == {"built offline"}


def test_deleting_one_built_image_rebuilds_only_that_one(client):
    RecordingResolver(client, Settings()).resolve_all()
    del client.images.store["runbook-drill/haproxy:offline"]
    again = RecordingResolver(client, Settings())
    again.resolve_all()
    assert again.builds == ["runbook-drill/haproxy:offline"]


def test_a_stale_context_hash_rebuilds_and_removes_the_old_image(client):
    stale = FakeImage({CONTEXT_HASH_LABEL: "0000"})
    client.images.store["runbook-drill/debian:offline"] = FakeImage(
        {CONTEXT_HASH_LABEL: SPECS["debian"].recipe.context_hash(None)})
    client.images.store["runbook-drill/redis:offline"] = stale
    resolver = RecordingResolver(client, Settings())
    resolver.resolve("redis")
    assert resolver.builds == ["runbook-drill/redis:offline"]
    assert client.images.removed == [stale.id]


def test_an_image_that_fails_to_build_is_reported_unavailable_and_the_rest_resolve(client):
    class FailingRedis(RecordingResolver):
        def docker_build(self, context, tag, labels, buildargs, dockerfile="Dockerfile"):
            if "redis" in tag:
                raise ImageUnavailable("offline build of redis failed: apt said no")
            super().docker_build(context, tag, labels, buildargs, dockerfile)

    rows = {r.name: r for r in FailingRedis(client, Settings()).resolve_all()}
    assert rows["redis"].source == "unavailable" and "apt said no" in rows["redis"].detail
    assert rows["postgres"].source == "built offline"


def test_an_unknown_image_name_is_an_error_listing_the_known_ones(client):
    with pytest.raises(ImageUnavailable, match="unknown image 'mysql'; known: debian, postgres"):
        RecordingResolver(client, Settings()).resolve("mysql")


def test_the_context_hash_follows_file_contents_and_the_base(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM x\n")
    first = hash_tree(tmp_path, "base-a")
    assert hash_tree(tmp_path, "base-a") == first
    assert hash_tree(tmp_path, "base-b") != first
    (tmp_path / "Dockerfile").write_text("FROM y\n")
    assert hash_tree(tmp_path, "base-a") != first


def test_a_rebuilt_base_with_the_same_recipe_does_not_change_its_dependants_hash():
    recipe = DockerfileRecipe("redis")
    one = ResolvedImage("debian", "d", "built offline", image_id="sha256:1", detail="recipe-hash")
    two = dataclasses.replace(one, image_id="sha256:2")
    assert recipe.context_hash(one) == recipe.context_hash(two)
    pulled = ResolvedImage("debian", "debian:bookworm-slim", "pulled", image_id="sha256:3")
    assert recipe.context_hash(pulled) != recipe.context_hash(one)


def test_the_debian_base_is_stripped_of_documentation_but_keeps_every_copyright_file(tmp_path):
    from runbook_drill.harness.engine.images import _strip_docs

    for path in ("usr/share/doc/bash/copyright", "usr/share/doc/bash/README.gz", "usr/share/man/man1/ls.1.gz",
                 "usr/share/locale/de/LC_MESSAGES/apt.mo", "usr/share/info/dir", "usr/share/zoneinfo/UTC"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("x")
    (tmp_path / "usr/share/doc/libc").symlink_to("bash")
    _strip_docs(tmp_path)
    left = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file() or p.is_symlink())
    assert left == ["usr/share/doc/bash/copyright", "usr/share/zoneinfo/UTC"]


def test_apt_and_dpkg_in_images_built_from_the_base_keep_no_cache_and_install_no_documentation():
    from runbook_drill.harness.engine.images import APT_NO_CACHE, DPKG_NO_DOCS

    assert APT_NO_CACHE[0] == "etc/apt/apt.conf.d/docker-clean" and 'Dir::Cache::pkgcache ""' in APT_NO_CACHE[1]
    assert "/var/cache/apt/*.bin" in APT_NO_CACHE[1]
    assert DPKG_NO_DOCS[1].splitlines() == ["path-exclude=/usr/share/doc/*", "path-exclude=/usr/share/man/*",
                                            "path-exclude=/usr/share/info/*", "path-exclude=/usr/share/locale/*",
                                            "path-include=/usr/share/doc/*/copyright"]
