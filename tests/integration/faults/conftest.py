"""One stack for every fault module of this package (each fault's tests in the module
named after it, as Toxiproxy keeps latency_test.go beside latency.go), reset before
every test."""

import pytest

from runbook_drill.harness.stack import Stack, StackConfig


@pytest.fixture(scope="package")
def stack(session):
    with Stack(session, StackConfig(replicas=1, seed_users=300, with_lb=True)) as running:
        yield running


@pytest.fixture(autouse=True)
def fresh(stack):
    stack.reset()
    yield
