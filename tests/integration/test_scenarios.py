"""The runbook suite as tests: every scenario against the bundled User API, on one stack
shared by the module (reset before each), as `drill run` runs them. A failure's message
names the runbook line, the check, what was expected and what was observed.
`pytest -m scenario` runs just these."""

import pytest

from runbook_drill import scenarios
from runbook_drill.harness.report.junit import failure_text
from runbook_drill.harness.runbook import Runbook
from runbook_drill.harness.run.runner import run_scenario
from runbook_drill.harness.stack import Stack
from runbook_drill.scenarios.common import stack_config

ALL = scenarios.build(Runbook())


@pytest.fixture(scope="module")
def stack(session):
    with Stack(session, stack_config()) as running:
        yield running


@pytest.mark.scenario
@pytest.mark.parametrize("scenario", ALL, ids=[s.id for s in ALL])
def test_the_runbook_holds(stack, scenario, tmp_path):
    stack.reset()
    record = run_scenario(stack, scenario, tmp_path)
    assert record.status == "passed", failure_text(record)[0]
