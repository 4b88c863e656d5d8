"""Every JWT failure mode is a TokenRejected with its own reason (no network here:
the local HS256 check runs before the auth service is asked)."""

import base64
import dataclasses
import json
import time

import jwt
import pytest

from services.user_api.auth import Authenticator, TokenRejected, bearer_token
from services.user_api.config import load_config
from tests.support.polling import eventually

SECRET = "k" * 32
CONFIG = load_config({"DATABASE_URL": "postgresql://u:p@db/users", "REDIS_URL": "redis://cache:6379/0",
                      "JWT_SECRET": SECRET, "AUTH_SERVICE_URL": "http://auth:8080", "JWT_LEEWAY_SECONDS": "5"})


def claims(**changes):
    now = int(time.time())
    base = {"sub": "u1", "iss": "authentication-api", "aud": "user-api", "iat": now, "nbf": now, "exp": now + 60}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def sign(payload, key=SECRET):
    return jwt.encode(payload, key, algorithm="HS256")


def unsigned(payload):
    part = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(payload)}."


def tampered(token):
    header, payload, signature = token.split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=="))
    body["sub"] = "admin"
    forged = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


@pytest.fixture(scope="module")
def authenticator():
    return Authenticator(CONFIG)


def test_a_valid_token_gives_its_claims(authenticator):
    assert authenticator.decode(sign(claims()))["sub"] == "u1"


def test_a_token_within_the_leeway_is_accepted(authenticator):
    assert authenticator.decode(sign(claims(nbf=int(time.time()) + 3)))["sub"] == "u1"


@pytest.mark.parametrize("make, reason", [
    (lambda: tampered(sign(claims())), "bad signature"),
    (lambda: sign(claims(), key="w" * 32), "bad signature"),
    (lambda: unsigned(claims()), "algorithm not allowed"),
    (lambda: sign(claims(exp=int(time.time()) - 60)), "expired"),
    (lambda: sign(claims(nbf=int(time.time()) + 3600)), "not yet valid"),
    (lambda: sign(claims(iat=int(time.time()) + 3600)), "not yet valid"),  # PyJWT: iat in the future
    (lambda: sign(claims(exp=None)), "missing claim"),
    (lambda: sign(claims(sub=None)), "missing claim"),
    (lambda: sign(claims(aud="billing-api")), "wrong audience"),
    (lambda: sign(claims(iss="someone-else")), "wrong issuer"),
    (lambda: "not-a-jwt", "malformed"),
])
def test_each_invalid_token_is_rejected_with_its_reason(authenticator, make, reason):
    with pytest.raises(TokenRejected) as err:
        authenticator.decode(make())
    assert err.value.reason == reason


@pytest.mark.parametrize("header, reason", [(None, "missing token"), ("Basic abc", "malformed"),
                                            ("Bearer ", "malformed")])
def test_a_missing_or_non_bearer_header_is_rejected(header, reason):
    with pytest.raises(TokenRejected) as err:
        bearer_token(header)
    assert err.value.reason == reason


def test_a_verified_token_is_still_rejected_once_it_has_expired():
    strict = Authenticator(dataclasses.replace(CONFIG, jwt_leeway_seconds=0))
    token = sign(claims(exp=int(time.time()) + 1))
    assert strict.decode(token)["sub"] == "u1"  # verified once, remembered

    def rejected_as_expired():
        try:
            strict.decode(token)
        except TokenRejected as exc:
            return exc.reason == "expired"
        return False

    assert eventually(rejected_as_expired, timeout=5, what="the remembered token rejected as expired")
