"""Fixtures shared by every test that needs the real Docker engine (integration, load).

They fail (never skip) when no engine answers: a skipped chaos test proves nothing.
One Session for the whole run; at the end, nothing of this run may be left.
"""

import pytest

from runbook_drill.harness.engine.resources import RUN_ID, leftovers
from runbook_drill.harness.engine.session import begin
from runbook_drill.harness.settings import load_settings


def pytest_collection_modifyitems(items):
    """Marks the tests that need Docker, so `pytest -m "not integration"` runs the rest."""
    for item in items:
        if any(part in str(item.fspath) for part in ("tests/integration", "tests/load", "tests/bench")):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def session():
    drill = begin(load_settings())
    yield drill
    left = leftovers(drill.client, RUN_ID)
    drill.close()
    assert not left, f"the test run leaked project resources: {left}"


@pytest.fixture(scope="session")
def client(session):
    return session.client
