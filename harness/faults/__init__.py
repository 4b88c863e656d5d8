"""Faults ("nemeses"): one registered kind per module, each with inject() and an
idempotent heal(). Every inject() verifies that the fault took effect and raises
FaultNotApplied if not - a fault that silently did nothing must not let a scenario pass."""

from runbook_drill.harness.faults.base import REGISTRY, Fault, FaultNotApplied, make, register  # noqa: F401
from runbook_drill.harness.faults import (  # noqa: F401  - importing registers each kind
    app_frozen, auth_down, bad_deployment, clock_skew, cpu_throttling, db_restart, dependency_latency,
    dependency_refused, dependency_reset, dependency_timeout, jwt_secret_rotation, memory_pressure, none,
    pool_exhaustion, redis_down, redis_flushed, replica_unready, slow_queries,
)
