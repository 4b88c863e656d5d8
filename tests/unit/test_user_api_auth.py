"""Every JWT failure mode is a TokenRejected with its own reason (no network here:
the local HS256 check runs before the auth service is asked)."""

import dataclasses
import time

import pytest

from services.user_api.auth import Authenticator, TokenRejected, bearer_token
from services.user_api.config import load_config
from tests.support import tokens
from harness.polling import eventually
from tests.support.tokens import claims

SECRET = "k" * 32
CONFIG = load_config({"DATABASE_URL": "postgresql://u:p@db/users", "REDIS_URL": "redis://cache:6379/0",
                      "JWT_SECRET": SECRET, "AUTH_SERVICE_URL": "http://auth:8080", "JWT_LEEWAY_SECONDS": "5"})


def sign(payload, key=SECRET):
    return tokens.sign(payload, key)


@pytest.fixture(scope="module")
def authenticator():
    return Authenticator(CONFIG)


def test_a_valid_token_gives_its_claims(authenticator):
    assert authenticator.decode(sign(claims()))["sub"] == "u1"


def test_a_token_within_the_leeway_is_accepted(authenticator):
    assert authenticator.decode(sign(claims(nbf=int(time.time()) + 3)))["sub"] == "u1"


@pytest.mark.parametrize("make_token, reason", tokens.failure_modes(SECRET))
def test_each_invalid_token_is_rejected_with_its_reason(authenticator, make_token, reason):
    with pytest.raises(TokenRejected) as err:
        authenticator.decode(make_token())
    assert err.value.reason == reason


@pytest.mark.parametrize("header, reason", [(None, "missing token"), ("Basic abc", "malformed"),
                                            ("Bearer ", "malformed")])
def test_a_missing_or_non_bearer_header_is_rejected(header, reason):
    with pytest.raises(TokenRejected) as err:
        bearer_token(header)
    assert err.value.reason == reason


def test_a_verified_token_is_still_rejected_once_it_has_expired():
    strict = Authenticator(dataclasses.replace(CONFIG, jwt_leeway_seconds=0))
    token = sign(claims(exp=int(time.time()) + 2))  # whole seconds: 1 could already be past
    assert strict.decode(token)["sub"] == "u1"  # verified once, remembered

    def rejected_as_expired():
        try:
            strict.decode(token)
        except TokenRejected as exc:
            return exc.reason == "expired"
        return False

    assert eventually(rejected_as_expired, timeout=5, what="the remembered token rejected as expired")
