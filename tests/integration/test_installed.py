"""The tool as a team installs it: the sdist, and the wheel built from it, by `python -m
build`; the wheel installed with its dependencies into a fresh virtualenv outside the
checkout - beside the team's own packages named `services`, `load`, `harness` and
`scenarios` - and run from an empty directory. Every command reads what the wheel carries
(runbook, recipes, sources) and writes its reports into that directory, nothing else."""

import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEAM_PACKAGES = ("services", "load", "harness", "scenarios")


def _run(command: list[str], cwd: Path, env: dict, timeout: float = 600) -> subprocess.CompletedProcess:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{command}: exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-2000:]}"
    return done


def _team_packages(site_packages: Path) -> None:
    """The team's own packages of generic names; importing one from the tool fails loudly."""
    for name in TEAM_PACKAGES:
        (site_packages / name).mkdir()
        (site_packages / name / "__init__.py").write_text(
            f"import os\nTEAM = True\nif os.environ.get('TEAM_PACKAGES_GUARD'):\n"
            f"    raise ImportError('the team\\'s own {name} package was imported by the tool')\n")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """Returns (the venv's bin folder, an empty working directory, the environment)."""
    scratch = tmp_path_factory.mktemp("installed")
    assert not scratch.is_relative_to(ROOT)
    # No flags: the sdist first, then the wheel built from it - so the sdist carries everything too.
    _run([sys.executable, "-m", "build", "--outdir", str(scratch / "dist"), str(ROOT)], ROOT, dict(os.environ),
         timeout=600)
    assert list((scratch / "dist").glob("runbook_drill-*.tar.gz"))
    wheel = next((scratch / "dist").glob("runbook_drill-*.whl"))
    venv.create(scratch / "venv", with_pip=True)
    bin_dir = scratch / "venv" / "bin"
    _run([str(bin_dir / "pip"), "install", "-q", "--disable-pip-version-check", str(wheel)], scratch,
         dict(os.environ), timeout=900)
    site = next((scratch / "venv" / "lib").glob("python3.*/site-packages"))
    _team_packages(site)
    work = scratch / "work"
    work.mkdir()
    env = {**os.environ, "TEAM_PACKAGES_GUARD": "1", "XDG_STATE_HOME": str(scratch / "state"),
           "XDG_CACHE_HOME": str(scratch / "cache"), "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    return bin_dir, work, env


def test_the_team_packages_of_generic_names_stay_the_teams(installed):
    bin_dir, work, env = installed
    done = _run([str(bin_dir / "python"), "-c", "import runbook_drill.cli, runbook_drill.load.runner;"
                 "import sys; print(sorted(m for m in sys.modules if m.split('.')[0] in "
                 f"{TEAM_PACKAGES!r}))"], work, env)
    assert done.stdout.strip() == "[]"


def test_the_installed_tool_lists_covers_and_plans_from_an_empty_directory(installed, tmp_path):
    bin_dir, work, env = installed
    drill = str(bin_dir / "drill")
    assert "health-baseline" in _run([drill, "list"], work, env).stdout
    runbook = tmp_path / "our-runbook.md"
    shutil.copy(ROOT / "runbook" / "user-api-runbook.md", runbook)
    assert "0 not-covered" in _run([drill, "coverage", "--runbook", str(runbook)], work, env).stdout
    assert "nothing was started" in _run([drill, "run", "db-refused", "--plan"], work, env).stdout
    assert "usage: drill" in _run([drill, "--help"], work, env).stdout


def test_the_installed_tool_builds_checks_and_runs_a_scenario_with_reports_here(installed, session):
    bin_dir, work, env = installed
    drill = str(bin_dir / "drill")
    images = _run([drill, "images"], work, env, timeout=1800).stdout
    assert "user-api" in images and "auth-api" in images
    assert re.search(r"User API: (\d+) of \1 lines met", _run([drill, "contract"], work, env).stdout)
    done = _run([drill, "run", "health-baseline"], work, env)
    assert "suite: 1 passed" in done.stdout
    assert sorted(p.name for p in work.iterdir()) == ["reports"]  # state and caches live in XDG dirs
    assert list((work / "reports").glob("*/journal/health-baseline.json"))


def test_the_installed_tool_proves_a_teams_own_lines_from_its_repository(installed, tmp_path):
    bin_dir, work, env = installed
    team = tmp_path / "ops"
    shutil.copytree(ROOT / "examples" / "team-scenarios", team)
    done = _run([str(bin_dir / "drill"), "coverage", "--runbook", str(team / "runbook.md"), "--scenarios", str(team)],
                work, env)
    proved = {line.split()[0] for line in done.stdout.splitlines() if " proved " in line}
    assert re.search(r"L95 +proved .*auth-slow-beyond-timeout", done.stdout), done.stdout
    assert re.search(r"L155 +proved .*incident-db-restart-heals-itself", done.stdout) and "L95" in proved


def test_the_installed_pytest_plugin_runs_a_section_and_a_mutant_fails_naming_the_runbook_line(installed, session,
                                                                                                tmp_path):
    import xml.etree.ElementTree as ElementTree

    from runbook_drill.harness.mutation import build, catalog
    from runbook_drill.harness.runbook import Runbook

    bin_dir, _, env = installed
    _run([str(bin_dir / "pip"), "install", "-q", "--disable-pip-version-check", "pytest>=8.3,<10"], tmp_path, env)
    project = tmp_path / "project"  # a team's project: no conftest, the plugin comes from the installed tool
    project.mkdir()
    pytest_ = [str(bin_dir / "pytest"), "-p", "no:cacheprovider", "-m", "health_checks"]
    done = _run([*pytest_, "--drill-user-api-image", "bundled", "--junitxml", "ok.xml"], project, env, timeout=900)
    assert "5 passed, 28 deselected" in done.stdout
    cases = list(ElementTree.parse(project / "ok.xml").getroot().iter("testcase"))
    assert len(cases) == 5 and all(c.find("failure") is None and c.find("error") is None for c in cases)
    mutant = next(m for m in catalog.load(Runbook()) if m.id == "ready-skips-redis")
    image, _ = build.build(session.images, mutant)
    failed = subprocess.run([*pytest_, "--drill-user-api-image", image, "--junitxml", "mutant.xml"], cwd=project,
                            env=env, capture_output=True, text=True, timeout=900)
    assert failed.returncode == 1, failed.stdout[-3000:]
    assert "health-redis-down (Health Checks): failed" in failed.stdout
    assert "runbook L118: - Checks: Database connectivity, Redis connectivity" in failed.stdout
    assert "expected: share >= 0.95" in failed.stdout
    cases = {c.get("name"): c for c in ElementTree.parse(project / "mutant.xml").getroot().iter("testcase")}
    assert len(cases) == 5 and cases["health-redis-down"].find("failure") is not None


CHAOS_TEST = """
from runbook_drill import Scenario, checks, make_fault, suite_load


def test_the_runbooks_baseline_holds(drill_run):
    assert drill_run("health-baseline").status == "passed"


def test_a_slow_cache_costs_no_errors(drill_run, drill_runbook, drill_stack):
    assert drill_stack.lb_url().startswith("http://")
    record = drill_run(Scenario(
        id="team-redis-slow", runbook="Dependencies", load=suite_load(),
        fault=lambda: make_fault("dependency_latency", dependency="redis", latency_ms=50),
        during=[checks.error_rate("fault_steady", below=drill_runbook.value("threshold.error_rate"))]))
    assert record.status == "passed", [v.check for v in record.failing()]
"""


def test_a_teams_own_chaos_tests_use_the_plugins_fixtures_beside_its_unit_tests(installed, tmp_path):
    bin_dir, _, env = installed
    _run([str(bin_dir / "pip"), "install", "-q", "--disable-pip-version-check", "pytest>=8.3,<10"], tmp_path, env)
    (tmp_path / "test_chaos.py").write_text(CHAOS_TEST)
    done = _run([str(bin_dir / "pytest"), "-p", "no:cacheprovider", "test_chaos.py"], tmp_path, env, timeout=900)
    assert "2 passed" in done.stdout

