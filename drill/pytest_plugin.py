"""The runbook suite under pytest (entry point `pytest11`: installed, pytest loads it).

    pytest --drill-user-api-image REF [--drill-profile FILE] [--drill-runbook PATH]
           [--drill-scenarios PATH ...] [--drill-section TEXT ...] [-m health_checks] [-k db]

collects one item per scenario (the built-in ones and the team's: `runbook/<section>::<id>`), marked `drill` and by
its runbook section (`health_checks`, `recent_incidents`: lower case, `_` for anything
else), so `-m` and `-k` select. One stack for the session, started at the first item and
reset before each; every journal is written under reports/<run>/journal. A scenario:

- passed: the item passes;
- failed: the item fails, its message naming the runbook line, the check, what was
  expected and what was seen;
- unknown, error, aborted: the item is an error (its setup raised) - never a pass.

`REF` may be `bundled`: the User API this tool carries. Without --drill-user-api-image
the plugin adds nothing but its fixtures: `drill_runbook` (the Runbook), `drill_stack`
(the session's started stack) and `drill_run` (runs a Scenario, or a scenario id, on it
and returns its ScenarioRecord) - a team's own chaos tests beside its unit tests."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any

import pytest

BUNDLED = "bundled"
_SESSION = pytest.StashKey["DrillSession"]()


def pytest_addoption(parser) -> None:
    group = parser.getgroup("runbook-drill", "the runbook suite (runbook-drill)")
    group.addoption("--drill-user-api-image", metavar="REF",
                    help="collect the runbook suite, run against this User API image ('bundled': runbook-drill's own)")
    group.addoption("--drill-profile", metavar="FILE", help="the image's service profile (drill run --profile)")
    group.addoption("--drill-runbook", metavar="PATH", help="judge against this copy of the runbook")
    group.addoption("--drill-scenarios", action="append", metavar="PATH",
                    help="a team's scenarios: a .toml or .py file, or a directory of them (repeatable)")
    group.addoption("--drill-section", action="append", metavar="TEXT",
                    help="only scenarios of runbook sections matching TEXT (repeatable)")


def section_marker(section: str) -> str:
    """Returns the marker of a runbook section: "Health Checks" -> health_checks."""
    return re.sub(r"[^a-z0-9]+", "_", section.lower()).strip("_") or "runbook"


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "drill: a runbook-drill scenario")
    session = DrillSession(config)
    config.stash[_SESSION] = session
    for section in sorted({s.runbook for s in session.scenarios}):
        config.addinivalue_line("markers", f"{section_marker(section)}: runbook section {section}")


def pytest_unconfigure(config) -> None:
    session = config.stash.get(_SESSION, None)
    if session is not None:
        session.close()


@pytest.hookimpl(tryfirst=True)  # before -k and -m deselect
def pytest_collection_modifyitems(session, config, items) -> None:
    drill = config.stash[_SESSION]
    if drill.enabled:
        for section in dict.fromkeys(s.runbook for s in drill.scenarios):  # runbook order
            # A node per section, "runbook/<section>": the JUnit class of its scenarios.
            parent = RunbookSection.from_parent(session, name=section_marker(section),
                                                nodeid=f"runbook/{section_marker(section)}")
            parent.section = section
            collected = parent.collect()
            # Reported as collected, as a file's items are (the terminal counts them, -m deselects).
            session.ihook.pytest_collectreport(report=pytest.CollectReport(parent.nodeid, "passed", None, collected))
            items.extend(collected)


def pytest_terminal_summary(terminalreporter, config) -> None:
    drill = config.stash.get(_SESSION, None)
    if drill is not None and drill.journal_dir is not None:
        terminalreporter.write_line(f"runbook-drill: journals in {drill.journal_dir}")


class DrillSession:
    """What the plugin holds for one pytest session: its options, the runbook and the
    scenarios (built at configure: bad input is a usage error before anything starts),
    and the stack, started at the first scenario run."""

    def __init__(self, config) -> None:
        from runbook_drill.harness.errors import DrillError
        from runbook_drill.options import RunOptions
        from runbook_drill.runs import scenarios_of

        image = config.getoption("drill_user_api_image")
        self.enabled, self._settings, self._runbook = bool(image), None, None
        self.options = RunOptions(
            command="run", user_api_image=None if image in (None, BUNDLED) else image,
            profile=config.getoption("drill_profile"), scenarios=tuple(config.getoption("drill_scenarios") or ()),
            runbook=Path(config.getoption("drill_runbook")) if config.getoption("drill_runbook") else None,
            section=tuple(config.getoption("drill_section") or ()))
        self._exit, self._stack, self._ran, self.journal_dir, self.scenarios = contextlib.ExitStack(), None, 0, None, []
        if self.enabled:  # bad input: a usage error now, nothing started
            try:
                self.scenarios = self._chosen(scenarios_of(self.options, self.settings))
            except DrillError as exc:
                raise pytest.UsageError(f"runbook-drill: {exc}") from None

    @property
    def settings(self):
        """The settings (flags, DRILL_* environment, drill.toml), read on first use."""
        from runbook_drill.harness.settings import load_settings

        if self._settings is None:
            self._settings = load_settings(self.options.settings_flags())
        return self._settings

    @property
    def runbook(self):
        """The runbook judged by, parsed on first use (drift raises RunbookError)."""
        from runbook_drill.runs import runbook_of

        if self._runbook is None:
            self._runbook = runbook_of(self.options)
        return self._runbook

    def _chosen(self, every: list) -> list:
        from runbook_drill import scenarios

        return scenarios.select(every, [], list(self.options.section))

    def stack(self):
        """Returns the session's started stack (started on first use); raises
        DrillError when it cannot start (the engine, the image, its pre-flight)."""
        if self._stack is None:
            self._stack = self._exit.enter_context(_started_stack(self))
        return self._stack

    def run(self, scenario) -> Any:
        """Runs one scenario on the session's stack (reset first, but for the first);
        returns its ScenarioRecord, its journal written."""
        from runbook_drill.harness.run import stops
        from runbook_drill.harness.run.runner import run_scenario

        stack = self.stack()
        if self._ran:
            stack.reset()
        self._ran += 1
        return run_scenario(stack, scenario, self.journal_dir, conditions=stops.for_scenario(self.runbook, scenario, []))

    def close(self) -> None:
        self._exit.close()


@contextlib.contextmanager
def _started_stack(drill: DrillSession):
    """Yields the started stack of the session's image: the engine up, the image there
    and pre-flighted (as `drill run` does), a run directory made; everything stopped
    and removed on leaving."""
    from runbook_drill.contract import ensure_drivable
    from runbook_drill.harness.stack import Stack
    from runbook_drill.runs import engine_session, new_run_dir, profile_of, require_image
    from runbook_drill.scenarios.common import stack_config

    profile, image = profile_of(drill.options), drill.options.user_api_image
    with engine_session(drill.settings) as session:
        if image:
            require_image(session, image)
            ensure_drivable(session, image, profile, drill.runbook, {s.id for s in drill.scenarios})
        _, run_dir = new_run_dir()
        drill.journal_dir = run_dir / "journal"
        drill.journal_dir.mkdir(parents=True, exist_ok=True)
        with Stack(session, stack_config(image, profile=profile)) as stack:
            yield stack


class RunbookSection(pytest.Collector):
    """One runbook section's scenarios as pytest items, one per scenario."""

    section = ""

    def collect(self):
        drill = self.config.stash[_SESSION]
        return [ScenarioItem.from_parent(self, name=scenario.id, scenario=scenario) for scenario in drill.scenarios
                if scenario.runbook == self.section]


class ScenarioItem(pytest.Item):
    """One scenario: run in setup (a run that cannot judge is an error there), judged
    in the call (a failed claim is a failure)."""

    def __init__(self, *, scenario, **kwargs) -> None:
        super().__init__(**kwargs)
        self.scenario, self.record = scenario, None
        self.add_marker("drill")
        self.add_marker(section_marker(scenario.runbook))

    def setup(self) -> None:
        """Runs the scenario; a run that could not judge (unknown, a harness error,
        aborted) fails here, so pytest reports an error, not a failure or a pass."""
        self.record = self.config.stash[_SESSION].run(self.scenario)
        # What `drill run --junit` says of a case, as JUnit properties (--junitxml).
        self.user_properties += [("status", self.record.status), *(("runbook", a) for a in self.scenario.proves)]
        if self.record.status not in ("passed", "failed"):
            pytest.fail(explain(self.scenario, self.record), pytrace=False)

    def runtest(self) -> None:
        """Fails when the service was shown to deviate from the runbook."""
        if self.record.status == "failed":
            pytest.fail(explain(self.scenario, self.record), pytrace=False)

    def reportinfo(self):
        return self.scenario.origin, None, f"{self.scenario.id}: {self.scenario.title or self.scenario.runbook}"


def explain(scenario, record) -> str:
    """Returns what a scenario that did not pass says: its verdict, the runbook lines it
    proves, and each check that did not pass with what was expected and what was seen."""
    lines = [f"{scenario.id} ({scenario.runbook}): {record.status}"]
    lines += [f"  runbook {anchor}" for anchor in scenario.proves]
    if record.error:
        lines.append(f"  error: {record.error.splitlines()[0]}")
    for verdict in record.failing():
        bound = verdict.evidence.get("bound") if isinstance(verdict.evidence.get("bound"), dict) else None
        rest = {k: v for k, v in verdict.evidence.items() if k not in ("window", "bound")}
        lines.append(f"  check: {verdict.check} [{verdict.status}]")
        if bound:
            lines.append(f"    expected: {bound['figure']} {bound['op']} {bound['value']}")
            lines.append(f"    seen: {bound['figure']} = {rest.pop(bound['figure'], None)}")
        else:
            lines.append(f"    expected: {verdict.check}")
        lines.append(f"    evidence: {str(rest)[:400]}")
    return "\n".join(lines)


@pytest.fixture(scope="session")
def drill_runbook(pytestconfig):
    """The runbook the session judges by (--drill-runbook, else the bundled one)."""
    return pytestconfig.stash[_SESSION].runbook


@pytest.fixture(scope="session")
def drill_stack(pytestconfig):
    """The session's started stack (the image of --drill-user-api-image, else the bundled)."""
    return pytestconfig.stash[_SESSION].stack()


@pytest.fixture
def drill_run(pytestconfig):
    """Returns run(scenario) -> ScenarioRecord: a Scenario (or a scenario id) run on the
    session's stack, reset first."""
    drill = pytestconfig.stash[_SESSION]

    def run(scenario):
        if isinstance(scenario, str):
            from runbook_drill import scenarios
            from runbook_drill.runs import scenarios_of

            scenario = scenarios.select(scenarios_of(drill.options, drill.settings), [scenario], [])[0]
        return drill.run(scenario)
    return run
