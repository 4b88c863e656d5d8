"""The auth service (the runbook's "authentication-api"): issues HS256 tokens signed
with its JWT_SECRET, answers introspection, revokes tokens. Its clock is the system
clock, so libfaketime in its container skews every token it issues."""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from typing import Annotated, Mapping

import jwt
from fastapi import FastAPI, Response
from pydantic import BaseModel, ConfigDict, Field

from ..common.jwt_claims import DECODE_ERRORS, time_claims_problem
from ..common.settings import Var, choice, integer, read, secret

log = logging.getLogger("auth_api")

VARIABLES = [
    Var("JWT_SECRET", secret(32), None, "HS256 signing key (RFC 7518: >= 32 bytes)"),
    Var("JWT_ISSUER", str, "authentication-api", "iss of issued tokens"),
    Var("JWT_AUDIENCE", str, "user-api", "aud of issued tokens"),
    Var("TOKEN_TTL_SECONDS", integer(1, 86_400), "3600", "default token lifetime"),
    Var("LOG_LEVEL", choice("DEBUG", "INFO", "WARNING", "ERROR"), "INFO", "log level"),
    Var("PORT", integer(1, 65535), "8080", "HTTP port"),
]


@dataclass(frozen=True)
class AuthConfig:
    jwt_secret: str
    jwt_issuer: str
    jwt_audience: str
    token_ttl_seconds: int
    log_level: str
    port: int


def load_config(env: Mapping[str, str] | None = None) -> AuthConfig:
    """Returns the validated config; raises SettingError naming the bad variable."""
    return AuthConfig(**read(VARIABLES, env))


class Login(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sub: Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[\w.@:-]+$")]
    ttl_seconds: Annotated[int | None, Field(ge=1, le=86_400)] = None


class TokenBody(BaseModel):
    token: Annotated[str, Field(min_length=1, max_length=8192)]


def create_app(config: AuthConfig) -> FastAPI:
    """Returns the auth service's ASGI app."""
    app = FastAPI(title="Auth API", version="1.0.0")
    revoked: set[str] = set()

    def verify(token: str) -> dict | None:
        """Returns the claims of a token this service would honour, else None."""
        try:
            claims = jwt.decode(token, config.jwt_secret, algorithms=["HS256"], audience=config.jwt_audience,
                                issuer=config.jwt_issuer, options={"require": ["exp", "jti", "sub"]})
        except (jwt.InvalidTokenError, *DECODE_ERRORS):
            return None
        if time_claims_problem(claims) or not isinstance(claims["jti"], str):
            return None
        return claims

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/login")
    async def login(body: Login) -> dict:
        now = int(time.time())
        ttl = body.ttl_seconds or config.token_ttl_seconds
        claims = {"sub": body.sub, "iss": config.jwt_issuer, "aud": config.jwt_audience, "iat": now,
                  "nbf": now, "exp": now + ttl, "jti": uuid.uuid4().hex}
        return {"access_token": jwt.encode(claims, config.jwt_secret, algorithm="HS256"),
                "token_type": "Bearer", "expires_in": ttl}

    @app.post("/introspect")
    async def introspect(body: TokenBody) -> dict:
        claims = verify(body.token)
        if claims is None or claims["jti"] in revoked:
            return {"active": False}
        return {"active": True, "sub": claims["sub"], "exp": claims["exp"]}

    @app.post("/revoke", status_code=204)
    async def revoke(body: TokenBody) -> Response:
        claims = verify(body.token)
        if claims is not None:
            revoked.add(claims["jti"])
            log.info("revoked token", extra={"fields": {"sub": claims["sub"]}})
        return Response(status_code=204)

    return app
