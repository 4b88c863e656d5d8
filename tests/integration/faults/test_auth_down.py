"""The auth down fault on the real stack: injected and verified, its effect observed, healed."""

from runbook_drill.harness.faults import make
from tests.support.faults import applied, get


def test_with_the_auth_service_down_new_tokens_are_refused_and_heal_restores_it(stack):
    fresh_token = stack.token("before-auth-down")
    fault = make("auth_down")
    applied(stack, fault)
    answer = get(stack, "/users/1", fresh_token)
    assert (answer.status_code, answer.json()["reason"]) == (401, "auth service unavailable")
    fault.heal(stack)
    assert get(stack, "/users/1").status_code == 200
