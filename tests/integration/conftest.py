"""Integration tests run against the real Docker engine that `make test` sets up.

They fail (never skip) when no engine answers: a skipped chaos test proves nothing.
Every test module shares one Session; at the end, nothing of this run may be left.
"""

import pytest

from harness.resources import RUN_ID, leftovers
from harness.session import begin
from harness.settings import load_settings


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/integration" in str(item.fspath):
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
