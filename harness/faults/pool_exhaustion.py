"""The connection pool is exhausted: replicas with a small pool (db_pool_max) whose
connections all wait on a held lock, so further requests find no free connection
("Connection pool exhausted", the 2024-10-15 incident)."""

from runbook_drill.harness.faults.base import register
from runbook_drill.harness.faults.slow_queries import SlowQueries


@register
class PoolExhaustion(SlowQueries):
    kind = "pool_exhaustion"
    touches = "every User API replica: redeployed with a pool of {db_pool_max} (timeout {pool_timeout_s} s); the database's tables: locked"
    radius = "every replica of the User API and the database's tables"
    params = {"db_pool_max": 2, "pool_timeout_s": 0.5, "hold_ms": 0, "free_ms": 100}
    prepares = True

    def prepare(self, stack) -> dict:
        """Redeploys every replica with the small pool and waits until the load balancer
        routes to all of them again: replacing the replicas empties the load balancer for
        a moment (seconds on a busy core), an outage of the suite's own making that no
        window of the fault may hold."""
        stack.redeploy(self._release(stack))
        if hasattr(stack, "wait_lb_serving"):
            stack.wait_lb_serving(len(stack.replicas))
        return {"redeployed": len(stack.replicas), "env": sorted(self._release(stack))}

    def _apply(self, stack):
        if not self._prepared(stack):
            self.prepare(stack)
        super()._apply(stack)

    def _prepared(self, stack) -> bool:
        """Whether every replica already runs with the small pool's variables."""
        wanted = {f"{name}={value}" for name, value in self._release(stack).items()}
        return bool(stack.replicas) and all(wanted <= set(_env(replica)) for replica in stack.replicas)

    def _release(self, stack) -> dict[str, str]:
        """The small pool's variables, as the image's profile names them."""
        return stack.config.profile.knob_env({
            "db_pool_max": self.values["db_pool_max"], "db_pool_min": 1,
            "db_pool_timeout_s": self.values["pool_timeout_s"], "db_statement_timeout_ms": 30000})

    def _verify(self, stack):
        evidence = super()._verify(stack)
        evidence["replica_env"] = sorted(e for e in _env(stack.replicas[0]) if e.split("=", 1)[0] in self._release(stack))
        return evidence

    def heal(self, stack):
        super().heal(stack)
        if any(not getattr(r, "drill_baseline", False) for r in stack.replicas):
            stack.redeploy()


def _env(replica) -> list[str]:
    """The replica's container environment, as `NAME=value` strings."""
    return replica.get_wrapped_container().attrs["Config"]["Env"] or []
