"""The auth service is down: its container is stopped ("Auth service unavailable")."""

from runbook_drill.harness.faults.base import register
from runbook_drill.harness.faults.stopped import StoppedContainer
from runbook_drill.harness.stack.topology import AUTH_API_PORT


@register
class AuthDown(StoppedContainer):
    kind = "auth_down"
    touches = 'the auth service container: stopped'
    radius = "the auth dependency: every replica's token checks"
    target = "auth_api"

    def _wait_back(self, stack) -> None:
        stack.wait_ready(stack.auth_api, port=AUTH_API_PORT, path="/health")
