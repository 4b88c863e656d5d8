"""A CPU limit's scheduler period: as short as the engine allows (a 1 ms quota at least),
within 10-100 ms, longer only for a limit under 0.01 cores; and the limit read back from a container's HostConfig."""

from runbook_drill.harness.engine.containers import cfs_period_us, cpus_of, least_cpus


def test_a_small_quota_gets_the_shortest_period_that_holds_a_whole_millisecond():
    assert cfs_period_us(0.05) == 20_000 and cfs_period_us(0.5) == 10_000 and cfs_period_us(0.012) == 83_334
    assert cfs_period_us(0.01) == 100_000 and cfs_period_us(0) == 100_000


def test_a_limit_under_a_millisecond_per_100_ms_gets_a_longer_period_up_to_a_second():
    assert cfs_period_us(0.005) == 200_000 and cfs_period_us(0.0005) == 1_000_000


def test_the_least_limit_is_one_millisecond_per_the_longest_stall_allowed():
    assert least_cpus(0.25) == 0.004 and least_cpus(0.05) == 0.01 and least_cpus(5) == 0.001


def test_the_limit_is_the_quota_over_the_period_and_none_is_zero():
    assert cpus_of({"CpuQuota": 1000, "CpuPeriod": 20_000}) == 0.05
    assert cpus_of({"CpuQuota": -1, "CpuPeriod": 100_000}) == 0.0 and cpus_of({}) == 0.0
