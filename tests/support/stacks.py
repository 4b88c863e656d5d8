"""Module-scoped stacks for the test modules that share one, reset between tests."""

import pytest

from runbook_drill.harness.stack import Stack, StackConfig


def module_stack(**config):
    """Returns a module-scoped `stack` fixture started with StackConfig(**config)."""
    @pytest.fixture(scope="module")
    def stack(session):
        with Stack(session, StackConfig(**config)) as running:
            yield running
    return stack


def reset_before_each_test():
    """Returns an autouse fixture that resets the module's stack before every test."""
    @pytest.fixture(autouse=True)
    def fresh(stack):
        stack.reset()
        yield
    return fresh
