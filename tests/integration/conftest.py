"""Integration tests run against the real Docker engine that `make test` sets up; the
shared `session` and `client` fixtures are in tests/conftest.py."""

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/integration" in str(item.fspath) or "tests/load" in str(item.fspath):
            item.add_marker(pytest.mark.integration)
