"""The token faults (a rotated JWT secret, a skewed clock) on the real stack: new tokens invalid with their reason, healed."""

import pytest

from runbook_drill.harness.faults import make
from tests.support.faults import applied, get


@pytest.mark.parametrize("kind, reason", [("jwt_secret_rotation", "bad signature"), ("clock_skew", "not yet valid")])
def test_auth_faults_make_new_tokens_invalid_with_their_reason_and_heal(stack, kind, reason):
    fault = make(kind)
    applied(stack, fault)
    answer = get(stack, "/users/1")
    assert (answer.status_code, answer.json()["reason"]) == (401, reason)
    fault.heal(stack)
    assert get(stack, "/users/1").status_code == 200
