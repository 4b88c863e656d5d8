"""Memory pressure: every replica's memory limit is squeezed, with no swap and a restart
policy ("Pods restarting frequently, OOMKilled in events"). With below_need 0 the limit
is set live to the working set + headroom_mb, so a burst of allocations gets the process
OOM-killed; with below_need > 0 (a fraction) the replica is stopped, its limit set to
that fraction of its working set (at least the engine's 6 MiB minimum), and started
again: a limit below what the process needs, so it is OOM-killed at every start (or as
soon as the load reaches it) - the crash loop an on-call engineer meets."""

from runbook_drill.harness.errors import HarnessError
from runbook_drill.harness.faults.base import Fault, FaultNotApplied, register
from runbook_drill.harness.polling import wait_until

DOCKER_MIN_LIMIT = 6 * 1024 * 1024  # the engine refuses a memory limit below 6 MiB


def _usage_bytes(container) -> int:
    """Returns the container's working set: memory use without reclaimable page cache
    (what `docker stats` shows), so a limit just above it is one the process really needs."""
    memory = container.get_wrapped_container().stats(stream=False)["memory_stats"]
    detail = memory.get("stats", {})
    cache = detail.get("total_inactive_file", detail.get("inactive_file", detail.get("cache", 0)))
    return int(memory.get("usage", 0)) - int(cache)


@register
class MemoryPressure(Fault):
    kind = "memory_pressure"
    touches = 'every User API replica: memory limit squeezed (headroom {headroom_mb} MB, below need {below_need}), no swap'
    radius = 'every replica of the User API'
    params = {"headroom_mb": 24, "below_need": 0.0}

    def _apply(self, stack):
        self.limits = {}
        below = float(self.values["below_need"])
        for replica in stack.replicas:
            usage = _usage_bytes(replica)
            limit = int(usage * below) if below > 0 else usage + self.values["headroom_mb"] * 1024 * 1024
            if usage <= DOCKER_MIN_LIMIT:
                raise FaultNotApplied(f"the working set ({usage / 2**20:.1f} MiB) is within the engine's 6 MiB "
                                      "minimum limit: no limit below it can be set; this fault cannot reach the image")
            limit = max(limit, DOCKER_MIN_LIMIT)  # a small process: the least limit, still below what it uses
            wrapped = replica.get_wrapped_container()
            if below > 0:
                wrapped.stop(timeout=5)
            stack.update_limits(replica, memory=str(limit), restart_on_failure=True)
            if below > 0:
                wrapped.start()
            self.limits[wrapped.name] = limit

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
            if wrapped.attrs["HostConfig"]["Memory"] and not wait_until(lambda: _lift_limit(wrapped), 20, 0.2):
                raise HarnessError(f"could not lift {wrapped.name}'s memory limit: it stays "
                                   f"{wrapped.attrs['State']['Status']}")


def _lift_limit(wrapped) -> bool:
    """The runbook's remedy, "Increase memory limits" - here, back to none; returns
    whether it took. An OOM-killed replica between two restarts is stopped, and the
    engine updates no stopped container: it is started first (then the update is tried
    again on the next poll)."""
    import docker.errors

    try:
        wrapped.update(mem_limit="8g", memswap_limit="8g", restart_policy={"Name": "no"})
        return True
    except docker.errors.APIError:
        wrapped.reload()
        if wrapped.status in ("exited", "created"):
            try:
                wrapped.start()
            except docker.errors.APIError:
                pass  # restarting already, by its policy
        return False
