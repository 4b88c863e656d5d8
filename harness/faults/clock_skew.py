"""The auth service's clock is ahead ("Clock skew between services"): libfaketime in its
container, so the tokens it issues are not yet valid for the User API."""

import time

import jwt

from runbook_drill.harness.faults.base import Fault, FaultNotApplied, register

FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"


@register
class ClockSkew(Fault):
    kind = "clock_skew"
    touches = 'the auth service container: replaced with its clock {offset_s} s ahead (libfaketime)'
    radius = 'the auth dependency: every token it issues'
    params = {"offset_s": 3600}

    def _apply(self, stack):
        offset = int(self.values["offset_s"])
        stack.replace_auth_api({**stack.auth_env, "FAKETIME": f"{offset:+d}s", "LD_PRELOAD": FAKETIME_LIB})

    def _verify(self, stack):
        issued = jwt.decode(stack.token("fault-check"), options={"verify_signature": False})["iat"]
        skew = issued - time.time()
        if abs(skew - self.values["offset_s"]) > 60:
            raise FaultNotApplied(f"auth service clock is off by {skew:.0f}s, not {self.values['offset_s']}s")
        return {"measured_skew_s": round(skew)}

    def heal(self, stack):
        if "FAKETIME" in stack.auth_env:
            stack.replace_auth_api({k: v for k, v in stack.auth_env.items() if k not in ("FAKETIME", "LD_PRELOAD")})
