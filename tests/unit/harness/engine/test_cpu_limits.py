"""A CPU limit's scheduler period: as short as the engine allows (a 1 ms quota at least),
within 10-100 ms; and the limit read back from a container's HostConfig."""

from runbook_drill.harness.engine.containers import cfs_period_us, cpus_of


def test_a_small_quota_gets_the_shortest_period_that_holds_a_whole_millisecond():
    assert cfs_period_us(0.05) == 20_000 and cfs_period_us(0.5) == 10_000 and cfs_period_us(0.012) == 83_334
    assert cfs_period_us(0.005) == 100_000 and cfs_period_us(0) == 100_000


def test_the_limit_is_the_quota_over_the_period_and_none_is_zero():
    assert cpus_of({"CpuQuota": 1000, "CpuPeriod": 20_000}) == 0.05
    assert cpus_of({"CpuQuota": -1, "CpuPeriod": 100_000}) == 0.0 and cpus_of({}) == 0.0
