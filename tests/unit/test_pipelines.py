"""ci/'s pipelines: valid against the platforms' published schemas (check-jsonschema's
vendored copies: no network), a broken copy refused, every `drill` command in them one
that drill's own parser accepts, and the tool installed as a package, never cloned."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from runbook_drill import cli

CI = Path(__file__).resolve().parents[2] / "ci"
PIPELINES = {CI / "github" / "runbook-drill.yml": ["vendor.github-workflows", "custom.github-workflows-require-timeout"],
             CI / "gitlab" / ".gitlab-ci.yml": ["vendor.gitlab-ci"]}
BREAKS = {"runbook-drill.yml": ("runs-on: ubuntu-24.04", "runs_on: ubuntu-24.04"),
          ".gitlab-ci.yml": ("  parallel: 3\n", "  parallel: many\n")}


def _validate(path: Path, schema: str) -> subprocess.CompletedProcess:
    checker = Path(sys.executable).with_name("check-jsonschema")
    return subprocess.run([str(checker), "--builtin-schema", schema, str(path)], capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("path, schema", [(p, s) for p, schemas in PIPELINES.items() for s in schemas])
def test_each_pipeline_is_valid_against_its_platforms_schema(path, schema):
    done = _validate(path, schema)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("path", list(PIPELINES))
def test_a_broken_copy_of_a_pipeline_is_refused(path, tmp_path):
    old, new = BREAKS[path.name]
    assert old in path.read_text()
    broken = tmp_path / path.name
    broken.write_text(path.read_text().replace(old, new))
    assert _validate(broken, PIPELINES[path][0]).returncode == 1


def _drill_commands(path: Path) -> list[list[str]]:
    """Returns the argv of every `drill ...` invocation in a pipeline's scripts."""
    found = []
    text = yaml.safe_load(path.read_text())
    scripts = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("run", "script", "after_script", "before_script"):
                    scripts.extend(value if isinstance(value, list) else [value])
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(text)
    for script in scripts:
        for line in str(script).replace("\\\n", " ").splitlines():
            words = shlex.split(line.split("||")[0].split(";")[-1])
            if words and words[0] == "drill":
                found.append(words[1:])
    return found


@pytest.mark.parametrize("path", list(PIPELINES))
def test_every_drill_command_of_a_pipeline_is_one_drill_accepts(path):
    commands = _drill_commands(path)
    assert {c[0] for c in commands} >= {"images", "contract", "run", "report"}
    for argv in commands:
        cli.parser().parse_args(argv)  # exits 2 on an option drill does not have


@pytest.mark.parametrize("path", list(PIPELINES))
def test_each_pipeline_installs_the_tool_at_a_pinned_release_and_clones_nothing(path):
    text = path.read_text()
    assert re.search(r'install .*"runbook-drill==\$DRILL_VERSION"', text)
    assert "runbook-drill/runbook-drill" not in text and "git clone" not in text and "make install" not in text
