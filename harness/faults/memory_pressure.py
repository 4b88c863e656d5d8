"""Memory pressure: every replica's memory limit is squeezed to just above its working
set, with no swap and a restart policy, so a burst of allocations (large result sets)
gets it OOMKilled and restarted ("Pods restarting frequently, OOMKilled in events")."""

from harness.faults.base import Fault, FaultNotApplied, register


def _usage_bytes(container) -> int:
    stats = container.get_wrapped_container().stats(stream=False)
    return int(stats["memory_stats"].get("usage", 0))


@register
class MemoryPressure(Fault):
    kind = "memory_pressure"
    params = {"headroom_mb": 24}

    def _apply(self, stack):
        self.limits = {}
        for replica in stack.replicas:
            limit = _usage_bytes(replica) + self.values["headroom_mb"] * 1024 * 1024
            stack.update_limits(replica, memory=str(limit), restart_on_failure=True)
            self.limits[replica.get_wrapped_container().name] = limit

    def _verify(self, stack):
        for replica in stack.replicas:
            wrapped = replica.get_wrapped_container()
            wrapped.reload()
            if wrapped.attrs["HostConfig"]["Memory"] != self.limits[wrapped.name]:
                raise FaultNotApplied(f"{wrapped.name} memory limit is {wrapped.attrs['HostConfig']['Memory']}")
        return {"memory_limits": self.limits}

    def heal(self, stack):
        for replica in stack.replicas:
            wrapped = replica.get_wrapped_container()
            wrapped.reload()
            if wrapped.attrs["HostConfig"]["Memory"]:
                # The runbook's remedy: "Increase memory limits" - here, back to none.
                wrapped.update(mem_limit="8g", memswap_limit="8g", restart_policy={"Name": "no"})
