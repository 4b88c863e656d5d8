"""The app frozen fault on the real stack: injected and verified, its effect observed, healed."""

import pytest
import requests

from runbook_drill.harness.faults import make
from tests.support.api import status_within
from tests.support.faults import applied


def test_a_frozen_replica_answers_nothing_until_unpaused(stack):
    fault = make("app_frozen")
    assert applied(stack, fault)["paused"] is True
    with pytest.raises(requests.RequestException):
        requests.get(f"{stack.url()}/health/live", timeout=1)
    status_within(f"{stack.lb_url()}/health/ready", 503, 10)  # the only replica left the pool
    fault.heal(stack)
    status_within(f"{stack.url()}/health/live", 200, 10)
