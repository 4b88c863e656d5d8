"""Property: whatever JSON a token carries in any claim or header field, signed with the
right secret, the User API's check refuses it with a reason or accepts a really valid
token - never another exception (a 500) - and the auth service's introspection answers
200 with active only for a really valid one."""

import math
import time

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from services.auth_api.app import AuthConfig, create_app
from services.common.jwt_claims import time_claims_problem
from services.user_api.auth import Authenticator, TokenRejected
from tests.support.tokens import fuzzed_token_parts, really_valid, sign_raw
from tests.unit.services.test_user_api_auth import CONFIG, SECRET

AUTHENTICATOR = Authenticator(CONFIG)


@settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(fuzzed_token_parts())
def test_any_claim_value_is_refused_with_a_reason_or_is_really_valid(parts):
    header, claims = parts
    token = sign_raw(header, claims, SECRET)
    try:
        accepted = AUTHENTICATOR.decode(token)
    except TokenRejected:
        return
    assert really_valid(header, claims), (header, claims)
    assert all(isinstance(accepted[k], (int, float)) and math.isfinite(accepted[k]) for k in ("exp", "nbf", "iat"))
    AUTHENTICATOR.cache_seconds(accepted)  # the arithmetic that failed on a numeric string


def test_a_numeric_string_exp_is_refused_as_malformed():
    token = sign_raw({"alg": "HS256", "typ": "JWT"},
                     {"sub": "u1", "iss": "authentication-api", "aud": "user-api", "iat": int(time.time()),
                      "nbf": int(time.time()), "exp": str(int(time.time()) + 60)}, SECRET)
    try:
        AUTHENTICATOR.decode(token)
    except TokenRejected as rejected:
        assert rejected.reason == "malformed" and "exp is not a number" in str(rejected)
    else:
        raise AssertionError("a numeric-string exp was accepted")


AUTH = TestClient(create_app(AuthConfig(jwt_secret=SECRET, jwt_issuer="authentication-api", jwt_audience="user-api",
                                        token_ttl_seconds=60, log_level="WARNING", port=8080)))


@settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(fuzzed_token_parts())
def test_introspection_never_fails_and_is_active_only_for_a_really_valid_token(parts):
    header, claims = parts
    answer = AUTH.post("/introspect", json={"token": sign_raw(header, claims, SECRET)})
    assert answer.status_code == 200, answer.text
    if answer.json()["active"]:
        assert isinstance(claims.get("jti"), str) and time_claims_problem(claims) is None
        assert claims.get("exp", 0) > time.time() - 1
