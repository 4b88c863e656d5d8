"""The db restart fault on the real stack: injected and verified, its effect observed, healed."""

from runbook_drill.harness.faults import make
from runbook_drill.harness.polling import eventually
from tests.support.api import status_within
from tests.support.faults import applied, get


def test_a_database_restart_breaks_then_restores_service(stack):
    fault = make("db_restart")
    evidence = applied(stack, fault)
    assert evidence["started_after"] != evidence["started_before"]
    status_within(f"{stack.url()}/health/ready", 200, 30)
    token = stack.token("restart")
    eventually(lambda: get(stack, "/users/105", token).status_code == 200, 20, what="reads after the restart")
