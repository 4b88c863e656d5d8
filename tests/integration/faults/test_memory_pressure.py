"""The memory pressure fault on the real stack: injected and verified, its effect observed, healed."""

import concurrent.futures

from runbook_drill.harness.faults import make
from runbook_drill.harness.polling import eventually
from tests.support.faults import applied, quiet_get
from tests.support.profiles import reference_seed


def test_memory_pressure_with_unpaginated_result_sets_gets_oomkilled_and_restarted(stack):
    stack.redeploy({"REGRESSIONS": "unpaginated"})
    reference_seed(stack, 20_000)  # every "page" is now 20,000 users with their roles
    fault = make("memory_pressure", headroom_mb=16)
    assert applied(stack, fault)["memory_limits"]
    replica, token = stack.replicas[0], stack.token("memory")

    def burst():
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda i: quiet_get(stack, "/users", token), range(16)))
        state = stack.state(replica)
        return state["OOMKilled"] or state["RestartCount"] >= 1

    eventually(burst, 60, interval=0.5, what="an OOM kill under unpaginated reads")
    fault.heal(stack)
