"""The auth service is down: its container is stopped ("Auth service unavailable")."""

from harness.faults.base import Fault, FaultNotApplied, register
from harness.stack import AUTH_API_PORT


@register
class AuthDown(Fault):
    kind = "auth_down"
    params = {}

    def _apply(self, stack):
        stack.auth_api.get_wrapped_container().stop(timeout=5)

    def _verify(self, stack):
        wrapped = stack.auth_api.get_wrapped_container()
        wrapped.reload()
        if wrapped.status == "running":
            raise FaultNotApplied("auth-api is still running")
        return {"status": wrapped.status}

    def heal(self, stack):
        wrapped = stack.auth_api.get_wrapped_container()
        wrapped.reload()
        if wrapped.status != "running":
            wrapped.start()
        stack.wait_ready(stack.auth_api, port=AUTH_API_PORT, path="/health")
