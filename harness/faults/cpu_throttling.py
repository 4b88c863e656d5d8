"""The User API is CPU-throttled: a CPU quota of `cpus` on every replica ("CPU throttling")."""

from harness.faults.base import Fault, FaultNotApplied, register


@register
class CpuThrottling(Fault):
    kind = "cpu_throttling"
    touches = 'every User API replica: CPU quota {cpus} CPUs (docker update)'
    radius = 'every replica of the User API'
    params = {"cpus": 0.1}

    def _apply(self, stack):
        for replica in stack.replicas:
            stack.update_limits(replica, cpus=self.values["cpus"])

    def _verify(self, stack):
        quotas = []
        for replica in stack.replicas:
            wrapped = replica.get_wrapped_container()
            wrapped.reload()
            quotas.append(wrapped.attrs["HostConfig"]["CpuQuota"])
        if quotas != [int(self.values["cpus"] * 100_000)] * len(quotas):
            raise FaultNotApplied(f"CPU quotas are {quotas}")
        return {"cpu_quota_us": quotas, "cpu_period_us": 100_000}

    def heal(self, stack):
        for replica in stack.replicas:
            stack.update_limits(replica, cpus=0)
