"""The redis flushed fault on the real stack: injected and verified, its effect observed, healed."""

from runbook_drill.harness.faults import make
from tests.support.api import sample_value
from tests.support.faults import applied, get


def test_a_flushed_cache_turns_reads_into_misses(stack):
    token = stack.token("flush")
    get(stack, "/users/130", token)
    assert get(stack, "/users/130", token).status_code == 200  # now cached
    fault = make("redis_flushed")
    assert applied(stack, fault)["keys_after_flush"] <= 50
    misses = sample_value(stack.url(), "redis_misses_total")
    get(stack, "/users/130", token)
    assert sample_value(stack.url(), "redis_misses_total") == misses + 1
