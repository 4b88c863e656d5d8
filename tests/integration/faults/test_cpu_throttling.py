"""The cpu throttling fault on the real stack: injected and verified, its effect observed, healed."""

from runbook_drill.harness.faults import make
from tests.support.faults import applied, get


def _throttled_periods(container) -> int:
    out = container.exec(["cat", "/sys/fs/cgroup/cpu/cpu.stat"]).output.decode()
    return int(dict(line.split() for line in out.splitlines())["nr_throttled"])


def test_cpu_throttling_sets_the_quota_and_the_kernel_throttles(stack):
    fault = make("cpu_throttling", cpus=0.05)
    evidence = applied(stack, fault)
    # 0.05 CPU in a 20 ms period: the engine's least quota (1 ms) in the shortest period it allows
    assert evidence["cpus"] == [0.05] * len(stack.replicas) and evidence["cpu_period_us"] == 20_000
    wrapped = stack.replicas[0].get_wrapped_container()
    wrapped.reload()
    assert (wrapped.attrs["HostConfig"]["CpuQuota"], wrapped.attrs["HostConfig"]["CpuPeriod"]) == (1000, 20_000)
    before = _throttled_periods(stack.replicas[0])
    token = stack.token("cpu")
    for i in range(40):
        get(stack, f"/users?limit=100&after={i}", token, timeout=30)
    assert _throttled_periods(stack.replicas[0]) > before
    fault.heal(stack)
    wrapped = stack.replicas[0].get_wrapped_container()
    wrapped.reload()
    assert wrapped.attrs["HostConfig"]["CpuQuota"] in (0, -1)
