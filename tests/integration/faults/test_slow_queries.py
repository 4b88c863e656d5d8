"""The slow queries fault on the real stack: injected and verified, its effect observed, healed."""

from harness.faults import make
from tests.support.faults import applied, get


def test_slow_queries_hit_the_statement_timeout_until_the_lock_is_released(stack):
    fault = make("slow_queries")
    assert applied(stack, fault)["locks"]
    answer = get(stack, "/users/106")
    assert (answer.status_code, answer.json()["kind"]) == (500, "statement_timeout")
    fault.heal(stack)
    assert get(stack, "/users/106").status_code == 200
