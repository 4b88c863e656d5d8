"""A bad deployment replaces every replica ("Recent deployment"): mode "unready" gets a
release that never becomes ready (its database host is wrong); mode "crash" gets one
that exits at start (an invalid setting: the pool size knob set to a word) and is
restarted by its restart policy. Both as the image's profile names its variables."""

from runbook_drill.harness.errors import ConfigError
from runbook_drill.harness.faults.base import Fault, FaultNotApplied, register

MODES = ("unready", "crash")
NO_SUCH_DB = "no-such-db"


def release(stack, mode: str) -> dict[str, str]:
    """Returns the bad release's environment changes for `mode`, in the image's names."""
    if mode == "crash":
        return stack.config.profile.knob_env({"db_pool_max": "not-a-number"})
    url = stack.dependency_values()["database_url"].replace("@toxiproxy:", f"@{NO_SUCH_DB}:")
    return stack.env_with(database_url=url, postgres_host=NO_SUCH_DB)


@register
class BadDeployment(Fault):
    kind = "bad_deployment"
    touches = 'every User API replica: replaced by a release that is {mode}'
    radius = 'every replica of the User API'
    params = {"mode": "unready"}

    def _apply(self, stack):
        if self.values["mode"] not in MODES:
            raise ConfigError(f"fault bad_deployment: mode must be one of {', '.join(MODES)}")
        restart = {"restart_policy": {"Name": "on-failure", "MaximumRetryCount": 100}}
        stack.redeploy(release(stack, self.values["mode"]), wait_ready=False,
                       **(restart if self.values["mode"] == "crash" else {}))

    def _verify(self, stack):
        env = set(stack.replicas[0].get_wrapped_container().attrs["Config"]["Env"])
        changes = release(stack, self.values["mode"])
        if not changes or not all(f"{k}={v}" in env for k, v in changes.items()):
            raise FaultNotApplied("the replicas do not run the bad release")
        return {"replicas": len(stack.replicas), "release": changes}

    def heal(self, stack):
        if any(not getattr(r, "drill_baseline", False) for r in stack.replicas):
            stack.redeploy()
