"""Bearer-token authentication: a local HS256 check of the JWT (issuer, audience, exp,
nbf, iat, with a leeway), then the auth service's introspection answer (cached in
Redis for a short time). Every rejection is a TokenRejected with a reason."""

from __future__ import annotations

import hashlib
import time
from typing import Any

import httpx
import jwt

from ..common.jwt_claims import DECODE_ERRORS, time_claims_problem
from .config import Config

VERIFIED_CACHE_SIZE = 10_000
REQUIRED_CLAIMS = ["sub", "iss", "aud", "exp", "nbf", "iat"]
_REASONS = [  # most specific first: several of these subclass each other
    (jwt.ExpiredSignatureError, "expired"),
    (jwt.ImmatureSignatureError, "not yet valid"),
    (jwt.InvalidIssuedAtError, "issued in the future"),
    (jwt.InvalidAudienceError, "wrong audience"),
    (jwt.InvalidIssuerError, "wrong issuer"),
    (jwt.MissingRequiredClaimError, "missing claim"),
    (jwt.InvalidSignatureError, "bad signature"),
    (jwt.InvalidAlgorithmError, "algorithm not allowed"),
    (jwt.DecodeError, "malformed"),
]


class TokenRejected(Exception):
    """A token was refused; `reason` is a short label (also the metric's label)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def bearer_token(header: str | None) -> str:
    """Returns the token of an `Authorization: Bearer <token>` header; raises TokenRejected."""
    if not header:
        raise TokenRejected("missing token")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise TokenRejected("malformed", "Authorization is not 'Bearer <token>'")
    return token.strip()


def token_key(token: str) -> str:
    """Returns the Redis key of a token's cached introspection answer."""
    return "tok:" + hashlib.sha256(token.encode()).hexdigest()[:32]


KEEPALIVE_EXPIRY_S = 2.0
CLOSED_BEFORE_ANSWER = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)


class Authenticator:
    """Checks tokens; one instance per process."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._verified: dict[str, dict[str, Any]] = {}
        # An idle connection is dropped here (2 s) before the auth service closes it
        # (uvicorn: 5 s); at equal timeouts a request raced the server's close.
        self.http = httpx.AsyncClient(base_url=config.auth_service_url, timeout=config.auth_timeout_seconds,
                                      limits=httpx.Limits(max_connections=50, max_keepalive_connections=20,
                                                          keepalive_expiry=KEEPALIVE_EXPIRY_S))

    def decode(self, token: str) -> dict[str, Any]:
        """Returns the token's claims; raises TokenRejected naming why it is invalid.

        A token already verified is not verified again (HS256 and JSON parsing are most
        of a cached read's cost), but its time window is checked on every use.
        """
        claims = self._verified.get(token)
        if claims is not None and claims["nbf"] - self.config.jwt_leeway_seconds <= time.time() \
                < claims["exp"] + self.config.jwt_leeway_seconds:
            return claims
        claims = self._verify(token)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            self._verified.clear()  # bounded: a burst of distinct tokens cannot grow it
        self._verified[token] = claims
        return claims

    def _verify(self, token: str) -> dict[str, Any]:
        c = self.config
        try:
            claims = jwt.decode(token, c.jwt_secret, algorithms=["HS256"], audience=c.jwt_audience,
                                issuer=c.jwt_issuer, leeway=c.jwt_leeway_seconds,
                                options={"require": REQUIRED_CLAIMS})
        except jwt.InvalidTokenError as exc:
            for kind, reason in _REASONS:
                if isinstance(exc, kind):
                    raise TokenRejected(reason, str(exc)) from None
            raise TokenRejected("invalid", str(exc)) from None
        except DECODE_ERRORS as exc:  # a claim of the wrong JSON type, signed all the same
            raise TokenRejected("malformed", f"{type(exc).__name__}: {exc}") from None
        problem = time_claims_problem(claims)
        if problem:
            raise TokenRejected("malformed", problem)
        return claims

    async def introspect(self, token: str) -> bool:
        """Returns the auth service's verdict on `token` (True: active).

        Raises TokenRejected("auth service unavailable") when it cannot be asked.
        """
        try:
            answer = await self._post_introspect(token)
        except httpx.HTTPError as exc:
            raise TokenRejected("auth service unavailable", f"{type(exc).__name__}: {exc}") from None
        if answer.status_code != 200:
            raise TokenRejected("auth service unavailable", f"introspection answered {answer.status_code}")
        return bool(answer.json().get("active"))

    async def _post_introspect(self, token: str) -> httpx.Response:
        """Returns the auth service's answer; raises httpx.HTTPError. A connection closed
        under the request before any answer (a kept-alive one the server was closing,
        or a restarted auth service) is asked once more on a new one: introspection
        changes nothing, and a token must not be refused for a stale socket."""
        try:
            return await self.http.post("/introspect", json={"token": token})
        except CLOSED_BEFORE_ANSWER:
            return await self.http.post("/introspect", json={"token": token})

    def cache_seconds(self, claims: dict[str, Any]) -> int:
        """Returns how long an introspection answer may be cached: never past exp."""
        return min(self.config.auth_cache_seconds, int(claims["exp"] - time.time()))

    async def close(self) -> None:
        await self.http.aclose()
