"""A dependency refuses connections: its fault proxy is disabled (new connections get a
TCP refusal, live ones are closed) - "Database pod restarted", "Redis unavailable"."""

from runbook_drill.harness.faults.base import Fault, FaultNotApplied, check_dependency, proxy_state, register
from runbook_drill.harness.stack.proxies import ProxyError


def _set_enabled(stack, dependency: str, enabled: bool) -> None:
    proxy = stack.fault_proxy().handle(dependency)
    try:
        proxy.enable() if enabled else proxy.disable()
    except ProxyError as exc:
        raise FaultNotApplied(f"could not set {dependency} proxy enabled={enabled}: {exc}") from None


@register
class DependencyRefused(Fault):
    kind = "dependency_refused"
    touches = 'the {dependency} proxy (Toxiproxy): disabled, new connections refused'
    radius = "the {dependency} dependency: every replica's traffic to it"
    params = {"dependency": "postgres"}

    def _apply(self, stack):
        _set_enabled(stack, check_dependency(self), False)

    def _verify(self, stack):
        state = proxy_state(stack, self.values["dependency"])
        if state["enabled"]:
            raise FaultNotApplied(f"the {self.values['dependency']} proxy is still enabled")
        return {"proxy": state}

    def heal(self, stack):
        _set_enabled(stack, self.values["dependency"], True)
