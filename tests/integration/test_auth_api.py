"""The auth service: tokens, introspection, revocation, health, and libfaketime."""

import time

import jwt
import pytest
import requests
from testcontainers.core.wait_strategies import HttpWaitStrategy

from runbook_drill.harness.engine.containers import generic_container

SECRET = "auth-test-secret-0123456789abcdefghij"
FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"


def _auth_api(session, **env):
    container = (generic_container(session.images.resolve("auth-api").ref).with_exposed_ports(8080)
                 .with_env("JWT_SECRET", SECRET)
                 .waiting_for(HttpWaitStrategy(8080, "/health").for_status_code(200).with_startup_timeout(30)
                              .with_poll_interval(0.1)))
    for key, value in env.items():
        container.with_env(key, value)
    return container


@pytest.fixture(scope="module")
def auth(session):
    with _auth_api(session) as container:
        yield f"http://127.0.0.1:{container.get_exposed_port(8080)}"


def _login(base: str, sub: str = "alice") -> str:
    answer = requests.post(f"{base}/login", json={"sub": sub}, timeout=5)
    answer.raise_for_status()
    return answer.json()["access_token"]


def test_a_login_token_is_hs256_with_the_user_apis_claims(auth):
    claims = jwt.decode(_login(auth), SECRET, algorithms=["HS256"], audience="user-api", issuer="authentication-api")
    assert claims["sub"] == "alice"
    assert claims["nbf"] == claims["iat"] and claims["exp"] - claims["iat"] == 3600
    assert {"jti", "iss", "aud"} <= set(claims)


def test_introspection_says_active_until_the_token_is_revoked(auth):
    token = _login(auth)
    assert requests.post(f"{auth}/introspect", json={"token": token}, timeout=5).json()["active"] is True
    assert requests.post(f"{auth}/revoke", json={"token": token}, timeout=5).status_code == 204
    assert requests.post(f"{auth}/introspect", json={"token": token}, timeout=5).json() == {"active": False}


def test_a_token_signed_with_another_secret_is_inactive(auth):
    foreign = jwt.encode({"sub": "x", "exp": int(time.time()) + 60, "jti": "j", "aud": "user-api",
                          "iss": "authentication-api"}, "another-secret-0123456789abcdefghijklmn", algorithm="HS256")
    assert requests.post(f"{auth}/introspect", json={"token": foreign}, timeout=5).json() == {"active": False}


@pytest.mark.parametrize("body", [{}, {"sub": ""}, {"sub": "a b"}, {"sub": "a", "ttl_seconds": 0}, {"sub": "a", "x": 1}])
def test_a_bad_login_request_is_422(auth, body):
    assert requests.post(f"{auth}/login", json=body, timeout=5).status_code == 422


def test_with_libfaketime_the_services_clock_and_its_tokens_are_shifted(session):
    with _auth_api(session, FAKETIME="+1h", LD_PRELOAD=FAKETIME_LIB) as skewed:
        token = _login(f"http://127.0.0.1:{skewed.get_exposed_port(8080)}")
    issued_at = jwt.decode(token, options={"verify_signature": False})["iat"]
    assert 3500 <= issued_at - time.time() <= 3700
