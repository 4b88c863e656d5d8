"""Authentication Failures: "401 errors, logs show 'invalid token'" for each root cause -
the JWT secret rotated without updating the deployment, clock skew between services,
the auth service unavailable - and the runbook's resolution performed for real:
restart the pods with the current secret, the clock fixed, the auth service healthy.

The load churns tokens (a client logs in again every 2 s), as real clients get new
tokens: without it a fault never reaches a token verified before it."""

from __future__ import annotations

from runbook_drill.harness import checks as c
from runbook_drill.harness.errors import HarnessError
from runbook_drill.harness.faults import make
from runbook_drill.harness.run.scenario import TOOK_EFFECT, Scenario
from runbook_drill.scenarios.common import RELOGIN_S, Oracle, suite_load, symptom_gone

SECTION = "Authentication Failures"
SYMPTOM_GONE_S = RELOGIN_S * 3 + 8  # every client logged in again after the fix, with time to spare


def _restart_with_current_secret(stack, fault) -> None:
    """Resolution 1 + 3: verify which secret is current (the one the auth service signs
    with now), give it to the deployment, restart the pods to pick it up."""
    current = stack.auth_env["JWT_SECRET"]
    if current == stack.config.jwt_secret:
        raise HarnessError("resolution step 1: the deployment's JWT_SECRET is already current; nothing rotated")
    stack.redeploy(stack.env_with(jwt_secret=current))


def _scenario(o: Oracle, sid: str, cause: str, title: str, fault, resolution: str, **extra) -> Scenario:
    status = o.rb.value("auth.symptom_status")
    spec = dict(
        id=sid, runbook=SECTION, title=title, fault=fault, load=suite_load(), steady=o.steady(),
        during=[c.error_rate("fault_steady", above=o.error_rate, statuses={o.rb.value("auth.symptom_status")}),
                # Still 401s at the end: the cause's symptom, not the injection's (the auth
                # service restarted under a rotation or a skew breaks connections for a moment).
                c.error_rate("fault_late", above=o.error_rate, statuses={o.rb.value("auth.symptom_status")}),
                o.error_log(o.rb.value("auth.symptom_log"))],
        # Recovered once the users' 401s are gone (every client has logged in again after
        # the fix: within its relogin period), judged as a verdict with its time, then the
        # error rate from there on.
        recovery_starts_when=symptom_gone({status}), recovery_max_s=SYMPTOM_GONE_S,
        after=[c.condition_met(TOOK_EFFECT, "recovery", SYMPTOM_GONE_S,
                               f"the 401s gone within {SYMPTOM_GONE_S:g}s of the resolution"), *o.recovered(20)],
        settle_s=2.5, fault_s=4, remediation_name=resolution,
        proves=[o.claim("auth.symptom_status"), o.claim("auth.symptom_log"), o.cites(SECTION, cause),
                *([o.cites(SECTION, resolution)] if resolution else [])])
    spec.update(extra)
    return Scenario(**spec)


def scenarios(o: Oracle) -> list[Scenario]:
    return [
        _scenario(o, "auth-jwt-secret-rotated", "JWT secret rotated",
                  "JWT secret rotated in the auth service only: 401s; pods restarted with the new secret recover",
                  lambda: make("jwt_secret_rotation"), "Restart pods to pick up new secret",
                  remediation=_restart_with_current_secret, heal_first=False,
                  proves=[o.claim("auth.symptom_status"), o.claim("auth.symptom_log"),
                          o.cites(SECTION, "JWT secret rotated"), o.cites(SECTION, "Verify JWT_SECRET is current"),
                          o.cites(SECTION, "Restart pods to pick up new secret")]),
        _scenario(o, "auth-clock-skew", "Clock skew between services",
                  "The auth service's clock an hour ahead: its tokens are not yet valid, 401s",
                  lambda: make("clock_skew", offset_s=3600), "",
                  remediation_name="the auth service's clock fixed (no runbook resolution step covers this cause)"),
        _scenario(o, "auth-service-unavailable", "Auth service unavailable",
                  "The auth service down: tokens cannot be confirmed, 401s; healthy again recovers",
                  lambda: make("auth_down"), "Check auth service health"),
    ]
