"""The User API is CPU-throttled: a CPU quota of `cpus` on every replica ("CPU throttling")."""

from runbook_drill.harness.engine.containers import cfs_period_us, cpus_of
from runbook_drill.harness.faults.base import Fault, FaultNotApplied, register


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
        limits = []
        for replica in stack.replicas:
            wrapped = replica.get_wrapped_container()
            wrapped.reload()
            limits.append(cpus_of(wrapped.attrs["HostConfig"]))
        if any(abs(cpus - self.values["cpus"]) > 0.0011 for cpus in limits):  # a quota is whole microseconds
            raise FaultNotApplied(f"CPU limits are {limits} cores, not {self.values['cpus']}")
        return {"cpus": [round(cpus, 4) for cpus in limits], "cpu_period_us": cfs_period_us(self.values["cpus"])}

    def heal(self, stack):
        for replica in stack.replicas:
            stack.update_limits(replica, cpus=0)
