"""The pool exhaustion fault on the real stack: injected and verified, its effect observed, healed."""

import concurrent.futures

from runbook_drill.harness.faults import make
from tests.support.faults import applied, get


def test_an_exhausted_pool_answers_pool_exhausted_and_heals_back_to_baseline(stack):
    fault = make("pool_exhaustion", db_pool_max=2, pool_timeout_s=0.3)
    applied(stack, fault)
    token = stack.token("pool")
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda i: get(stack, f"/users/{110 + i}", token, timeout=40), range(6)))
        kinds = {a.json().get("kind") for a in answers if a.status_code == 500}
        fault.heal(stack)
    assert "pool_exhausted" in kinds
    assert all(getattr(r, "drill_baseline", False) for r in stack.replicas)
    assert get(stack, "/users/120").status_code == 200


def test_a_prepared_pool_exhaustion_injects_on_the_replicas_it_prepared_with_the_load_balancer_serving_them(stack):
    fault = make("pool_exhaustion", db_pool_max=2, pool_timeout_s=0.3, hold_ms=200, free_ms=200)
    try:
        prepared = fault.prepare(stack)
        replicas = [r.get_wrapped_container().id for r in stack.replicas]
        stack.wait_lb_serving(len(replicas), timeout=1)  # prepare waited for it already
        evidence = applied(stack, fault)
        assert [r.get_wrapped_container().id for r in stack.replicas] == replicas
    finally:
        fault.heal(stack)
    assert prepared["redeployed"] == len(replicas)
    assert any(e.endswith("=2") for e in evidence["replica_env"])
    assert all(getattr(r, "drill_baseline", False) for r in stack.replicas)
