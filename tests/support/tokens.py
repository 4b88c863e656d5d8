"""Tokens for every JWT failure mode the User API must reject."""

from __future__ import annotations

import base64
import json
import time

import jwt


def claims(**changes) -> dict:
    """Returns valid claims for the User API; a change to None drops that claim."""
    now = int(time.time())
    base = {"sub": "u1", "iss": "authentication-api", "aud": "user-api", "iat": now, "nbf": now, "exp": now + 60}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def sign(payload: dict, key: str) -> str:
    return jwt.encode(payload, key, algorithm="HS256")


def _part(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def unsigned(payload: dict) -> str:
    """Returns an alg "none" token."""
    return f"{_part({'alg': 'none', 'typ': 'JWT'})}.{_part(payload)}."


def tampered(token: str) -> str:
    """Returns `token` with its subject changed and its signature kept."""
    header, payload, signature = token.split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=="))
    body["sub"] = "admin"
    return f"{header}.{_part(body)}.{signature}"


def failure_modes(secret: str) -> list:
    """Returns pytest params of (token maker, expected rejection reason), one per failure
    mode; tokens are made when the test runs, so their times are relative to then."""
    import pytest

    def now() -> int:
        return int(time.time())

    modes = [
        ("tampered", lambda: tampered(sign(claims(), secret)), "bad signature"),
        ("wrong-secret", lambda: sign(claims(), "w" * 40), "bad signature"),
        ("alg-none", lambda: unsigned(claims()), "algorithm not allowed"),
        ("expired", lambda: sign(claims(exp=now() - 60), secret), "expired"),
        ("not-yet-valid", lambda: sign(claims(nbf=now() + 3600), secret), "not yet valid"),
        ("issued-in-future", lambda: sign(claims(iat=now() + 3600), secret), "not yet valid"),  # PyJWT's reason
        ("no-exp", lambda: sign(claims(exp=None), secret), "missing claim"),
        ("no-sub", lambda: sign(claims(sub=None), secret), "missing claim"),
        ("wrong-audience", lambda: sign(claims(aud="billing-api"), secret), "wrong audience"),
        ("wrong-issuer", lambda: sign(claims(iss="someone-else"), secret), "wrong issuer"),
        ("not-a-jwt", lambda: "not-a-jwt", "malformed"),
    ]
    return [pytest.param(make, reason, id=name) for name, make, reason in modes]
