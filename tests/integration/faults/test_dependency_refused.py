"""The dependency refused fault on the real stack: injected and verified, its effect observed, healed."""

import pytest
import requests

from runbook_drill.harness.faults import make
from tests.support.api import status_within
from tests.support.faults import applied


@pytest.mark.parametrize("dependency, check", [("postgres", "database"), ("redis", "redis")])
def test_a_refused_dependency_fails_readiness_naming_it_and_heals(stack, dependency, check):
    fault = make("dependency_refused", dependency=dependency)
    assert applied(stack, fault)["proxy"]["enabled"] is False
    ready = status_within(f"{stack.url()}/health/ready", 503, 10)
    assert ready.json()["checks"][check]["ok"] is False
    assert requests.get(f"{stack.url()}/health/live", timeout=5).status_code == 200
    fault.heal(stack)
    fault.heal(stack)  # idempotent
    status_within(f"{stack.url()}/health/ready", 200, 15)
