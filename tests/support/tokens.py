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


def sign_raw(header: dict, payload, key: str) -> str:
    """Returns a token signed HS256 with `key` over exactly this header and payload - any
    JSON, Infinity and NaN included (Python's json writes them and PyJWT reads them)."""
    import hashlib
    import hmac

    def part(data) -> str:
        return base64.urlsafe_b64encode(json.dumps(data, allow_nan=True).encode()).rstrip(b"=").decode()

    signing_input = f"{part(header)}.{part(payload)}"
    signature = hmac.new(key.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def any_json():
    """A hypothesis strategy of any JSON value a token issuer with a bug could write:
    strings (numeric ones too), floats (huge, negative, Infinity, NaN), big integers,
    null, booleans, lists, objects."""
    from hypothesis import strategies as st

    scalars = (st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70)
               | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=20)
               | st.integers(min_value=-10**12, max_value=10**12).map(str))
    return st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                        | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=6)


def fuzzed_token_parts():
    """A hypothesis strategy of (header, claims): valid ones with some claims and header
    fields replaced by any JSON value (or dropped)."""
    from hypothesis import strategies as st

    claim_names = ["sub", "iss", "aud", "exp", "nbf", "iat", "jti"]
    header_names = ["alg", "typ", "kid", "crit"]
    dropped = object()
    changes = st.dictionaries(st.sampled_from(claim_names), any_json() | st.just(dropped), min_size=1, max_size=3)
    header_changes = st.dictionaries(st.sampled_from(header_names), any_json(), max_size=2)

    def build(claim_changes, header_change):
        header = {"alg": "HS256", "typ": "JWT", **header_change}
        payload = claims(jti="j1")
        for name, value in claim_changes.items():
            if value is dropped:
                payload.pop(name, None)
            else:
                payload[name] = value
        return header, payload
    return st.builds(build, changes, header_changes)


def really_valid(header: dict, payload: dict, leeway_s: float = 5.0) -> bool:
    """The oracle: True only for a token the User API must accept - HS256 without
    critical extensions, every time claim a NumericDate with now inside its window
    (with the leeway), the right issuer and audience, a string subject."""
    from services.common.jwt_claims import time_claims_problem

    now = time.time()
    if header.get("alg") != "HS256" or "crit" in header or not all(k in payload for k in ("exp", "nbf", "iat")):
        return False
    if time_claims_problem(payload) is not None:
        return False
    audience = payload.get("aud")
    return (payload.get("iss") == "authentication-api"
            and (audience == "user-api" or isinstance(audience, list) and "user-api" in audience)
            and isinstance(payload.get("sub"), str) and payload["nbf"] - leeway_s <= now < payload["exp"] + leeway_s
            and payload["iat"] - leeway_s <= now)
