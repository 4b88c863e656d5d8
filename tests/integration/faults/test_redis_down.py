"""The redis down fault on the real stack: injected and verified, its effect observed, healed."""

from runbook_drill.harness.faults import make
from tests.support.api import status_within
from tests.support.faults import applied


def test_redis_down_fails_readiness_and_comes_back(stack):
    fault = make("redis_down")
    assert applied(stack, fault)["status"] != "running"
    status_within(f"{stack.url()}/health/ready", 503, 10)
    fault.heal(stack)
    status_within(f"{stack.url()}/health/ready", 200, 20)
