"""A bad deployment replaces every replica ("Recent deployment"): mode "unready" gets a
release that never becomes ready (its database host is wrong); mode "crash" gets one
that exits at start (an invalid setting) and is restarted by its restart policy."""

from harness.errors import ConfigError
from harness.faults.base import Fault, FaultNotApplied, register

MODES = {"unready": {"DATABASE_URL": "postgresql://drill:drill@no-such-db:5432/users"},
         "crash": {"DB_POOL_MAX": "not-a-number"}}


@register
class BadDeployment(Fault):
    kind = "bad_deployment"
    params = {"mode": "unready"}

    def _apply(self, stack):
        if self.values["mode"] not in MODES:
            raise ConfigError(f"fault bad_deployment: mode must be one of {', '.join(MODES)}")
        restart = {"restart_policy": {"Name": "on-failure", "MaximumRetryCount": 100}}
        stack.redeploy(MODES[self.values["mode"]], wait_ready=False,
                       **(restart if self.values["mode"] == "crash" else {}))

    def _verify(self, stack):
        env = stack.replicas[0].get_wrapped_container().attrs["Config"]["Env"]
        key = next(iter(MODES[self.values["mode"]]))
        if not any(e.startswith(f"{key}={MODES[self.values['mode']][key]}") for e in env):
            raise FaultNotApplied("the replicas do not run the bad release")
        return {"replicas": len(stack.replicas), "release": MODES[self.values["mode"]]}

    def heal(self, stack):
        if any(not getattr(r, "drill_baseline", False) for r in stack.replicas):
            stack.redeploy()
