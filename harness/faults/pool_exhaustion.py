"""The connection pool is exhausted: replicas with a small pool (db_pool_max) whose
connections all wait on a held lock, so further requests find no free connection
("Connection pool exhausted", the 2024-10-15 incident)."""

from harness.faults.base import register
from harness.faults.slow_queries import SlowQueries


@register
class PoolExhaustion(SlowQueries):
    kind = "pool_exhaustion"
    touches = "every User API replica: redeployed with a pool of {db_pool_max} (timeout {pool_timeout_s} s); the database's tables: locked"
    radius = "every replica of the User API and the database's tables"
    params = {"db_pool_max": 2, "pool_timeout_s": 0.5, "hold_ms": 0, "free_ms": 100}

    def _apply(self, stack):
        stack.redeploy(self._release(stack))
        super()._apply(stack)

    def _release(self, stack) -> dict[str, str]:
        """The small pool's variables, as the image's profile names them."""
        return stack.config.profile.knob_env({
            "db_pool_max": self.values["db_pool_max"], "db_pool_min": 1,
            "db_pool_timeout_s": self.values["pool_timeout_s"], "db_statement_timeout_ms": 30000})

    def _verify(self, stack):
        evidence = super()._verify(stack)
        env = stack.replicas[0].get_wrapped_container().attrs["Config"]["Env"]
        evidence["replica_env"] = sorted(e for e in env if e.split("=", 1)[0] in self._release(stack))
        return evidence

    def heal(self, stack):
        super().heal(stack)
        if any(not getattr(r, "drill_baseline", False) for r in stack.replicas):
            stack.redeploy()
