"""The connection pool is exhausted: replicas with a small pool (db_pool_max) whose
connections all wait on a held lock, so further requests find no free connection
("Connection pool exhausted", the 2024-10-15 incident)."""

from harness.faults.base import register
from harness.faults.slow_queries import SlowQueries


@register
class PoolExhaustion(SlowQueries):
    kind = "pool_exhaustion"
    params = {"table": "users", "db_pool_max": 2, "pool_timeout_s": 0.5, "hold_ms": 0, "free_ms": 100}

    def _apply(self, stack):
        stack.redeploy({"DB_POOL_MAX": str(self.values["db_pool_max"]), "DB_POOL_MIN": "1",
                        "DB_POOL_TIMEOUT_SECONDS": str(self.values["pool_timeout_s"]),
                        "DB_STATEMENT_TIMEOUT_MS": "30000"})
        super()._apply(stack)

    def _verify(self, stack):
        evidence = super()._verify(stack)
        env = stack.replicas[0].get_wrapped_container().attrs["Config"]["Env"]
        evidence["replica_env"] = [e for e in env if e.startswith("DB_POOL")]
        return evidence

    def heal(self, stack):
        super().heal(stack)
        if any(not getattr(r, "drill_baseline", False) for r in stack.replicas):
            stack.redeploy()
