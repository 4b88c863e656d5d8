"""The bad deployment fault on the real stack: injected and verified, its effect observed, healed."""

from runbook_drill.harness.faults import make
from runbook_drill.harness.polling import eventually
from tests.support.api import status_within
from tests.support.faults import applied


def test_an_unready_release_empties_the_load_balancer_and_a_rollback_restores_it(stack):
    fault = make("bad_deployment", mode="unready")
    applied(stack, fault)
    status_within(f"{stack.lb_url()}/health/ready", 503, 15)
    fault.heal(stack)  # the rollback
    status_within(f"{stack.lb_url()}/health/ready", 200, 15)


def test_a_crashing_release_restarts_in_a_loop_until_rolled_back(stack):
    fault = make("bad_deployment", mode="crash")
    applied(stack, fault)
    replica = stack.replicas[0]
    eventually(lambda: stack.state(replica)["RestartCount"] >= 1, 20, what="the crashing release restarted")
    assert "user-api: configuration error: DB_POOL_MAX='not-a-number'" in stack.logs(replica)
    fault.heal(stack)
    status_within(f"{stack.url()}/health/ready", 200, 15)
