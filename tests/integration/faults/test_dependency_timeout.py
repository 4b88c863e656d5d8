"""The dependency timeout fault on the real stack: injected and verified, its effect observed, healed."""

from runbook_drill.harness.faults import make
from tests.support.api import status_within
from tests.support.faults import applied


def test_blocked_database_traffic_fails_readiness_and_recovers(stack):
    fault = make("dependency_timeout", dependency="postgres", timeout_ms=0)
    applied(stack, fault)
    status_within(f"{stack.url()}/health/ready", 503, 10)
    fault.heal(stack)
    status_within(f"{stack.url()}/health/ready", 200, 20)
