"""The dependency reset fault on the real stack: injected and verified, its effect observed, healed."""

from runbook_drill.harness.faults import make
from runbook_drill.harness.polling import eventually
from tests.support.faults import applied, get


def test_reset_database_connections_fail_uncached_reads_and_recover(stack):
    fault = make("dependency_reset", dependency="postgres", timeout_ms=0)
    applied(stack, fault)
    token = stack.token("reset")
    eventually(lambda: get(stack, "/users/103", token).status_code == 500, 10, what="a 500 on a reset connection")
    fault.heal(stack)
    eventually(lambda: get(stack, "/users/104", token).status_code == 200, 20, what="reads again")
