"""The JWT secret was rotated in the auth service but not in the User API's deployment
("JWT secret rotated without updating deployment"): tokens it issues no longer verify."""

import secrets

import jwt

from runbook_drill.harness.faults.base import Fault, FaultNotApplied, register


@register
class JwtSecretRotation(Fault):
    kind = "jwt_secret_rotation"
    touches = 'the auth service container: replaced with a new JWT secret'
    radius = 'the auth dependency: every token it issues'
    params = {}

    def _apply(self, stack):
        self.new_secret = secrets.token_hex(24)
        stack.replace_auth_api({**stack.auth_env, "JWT_SECRET": self.new_secret})

    def _verify(self, stack):
        token = stack.token("fault-check")
        try:
            jwt.decode(token, stack.config.jwt_secret, algorithms=["HS256"], options={"verify_aud": False})
        except jwt.InvalidSignatureError:
            return {"token_signed_with": "the new secret", "old_secret_verifies": False}
        raise FaultNotApplied("tokens from the auth service still verify with the deployment's secret")

    def heal(self, stack):
        if stack.auth_env.get("JWT_SECRET") != stack.config.jwt_secret:
            stack.replace_auth_api({**stack.auth_env, "JWT_SECRET": stack.config.jwt_secret})
