"""The slow queries fault on the real stack: injected and verified, its effect observed, healed."""

from runbook_drill.harness.faults import make
from tests.support.faults import applied, get


def test_slow_queries_hit_the_statement_timeout_until_the_lock_is_released(stack):
    fault = make("slow_queries")
    evidence = applied(stack, fault)
    # Every table of the service's schema, found from the catalog: none named by the suite.
    assert {'public.users', 'public.user_roles'} <= set(evidence["tables"]) == set(evidence["locked"])
    answer = get(stack, f"/users/{stack.user_ids[105]}")
    assert (answer.status_code, answer.json()["kind"]) == (500, "statement_timeout")
    fault.heal(stack)
    assert get(stack, f"/users/{stack.user_ids[105]}").status_code == 200
