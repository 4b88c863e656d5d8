"""The stack under test: its topology (ports, proxies, readiness, what to start), the
container builders, the lifecycle that starts and removes it, the operations the
runbook's remediations need, and the compose project attached instead (compose.py)."""

from runbook_drill.harness.stack.handles import host_port, together  # noqa: F401
from runbook_drill.harness.stack.lifecycle import Stack  # noqa: F401
from runbook_drill.harness.stack.protocol import StackLike  # noqa: F401
from runbook_drill.harness.stack.topology import (ALERTMANAGER_PORT, APP_ALIAS, AUTH_API_PORT, LB_PORT, LB_STATS_PORT,  # noqa: F401
                                    PROMETHEUS_PORT, PROXIES, TOXIPROXY_PORT, USER_API_PORT, ReadinessProbe,
                                    StackConfig)
