"""What the distribution declares matches the repository: every folder of code is a
package under the one namespace, and every carried asset links to a folder that exists."""

import tomllib
from pathlib import Path

import yaml

from runbook_drill.harness.packaged import asset

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]


def _packages_on_disk() -> set[str]:
    found = set()
    for name, folder in SETUPTOOLS["package-dir"].items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join((name, *relative)))
    return found


def test_every_package_folder_is_declared_under_the_namespace():
    assert set(SETUPTOOLS["packages"]) == _packages_on_disk()
    assert all(name.split(".")[0] == "runbook_drill" for name in SETUPTOOLS["packages"])


def test_every_carried_asset_resolves_to_a_folder_of_the_repository():
    links = sorted((ROOT / "harness" / "assets").iterdir())
    assert [link.name for link in links] == sorted(
        ["compose", "docker-compose.yml", "examples", "images", "mutants", "runbook", "services"])
    for link in links:
        assert asset(link.name) == (ROOT / link.name).resolve() and asset(link.name).exists()


def test_the_compose_project_carries_everything_it_mounts():
    # The compose file is carried alone with compose/: every bind mount must be under it.
    services = yaml.safe_load(asset("docker-compose.yml").read_text())["services"]
    mounts = [volume.split(":")[0] for service in services.values() for volume in service.get("volumes", [])
              if volume.startswith(".")]
    assert mounts and all(m.startswith("./compose/") and (asset() / m).exists() for m in mounts), mounts


def test_the_console_script_is_the_namespaces_cli():
    assert PYPROJECT["project"]["scripts"] == {"drill": "runbook_drill.cli:main"}
