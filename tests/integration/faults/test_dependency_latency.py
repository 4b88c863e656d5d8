"""The dependency latency fault on the real stack: injected and verified, its effect observed, healed."""

import time

from runbook_drill.harness.faults import make
from tests.support.faults import applied, get


def test_database_latency_slows_uncached_reads_by_its_delay(stack):
    fault = make("dependency_latency", dependency="postgres", latency_ms=300)
    applied(stack, fault)
    started = time.perf_counter()
    assert get(stack, "/users/101").status_code == 200
    assert time.perf_counter() - started >= 0.3
    fault.heal(stack)
    started = time.perf_counter()
    assert get(stack, "/users/102").status_code == 200
    assert time.perf_counter() - started < 0.3
