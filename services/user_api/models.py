"""Request bodies. Every constraint here turns bad input into a 4xx before it reaches
PostgreSQL: lengths, control characters, text that is not valid UTF-8."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

MAX_ID = 2**63 - 1  # PostgreSQL bigint


def _utf8(value: str) -> str:
    value.encode("utf-8")  # raises on lone surrogates, which PostgreSQL cannot store
    return value


Email = Annotated[str, Field(pattern=r"^[^@\s\x00-\x1f]{1,64}@[^@\s\x00-\x1f]{1,189}$", max_length=254),
                  AfterValidator(_utf8)]
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$"), AfterValidator(_utf8)]
Role = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")]
Roles = Annotated[list[Role], Field(max_length=10)]


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: Email
    name: Name
    roles: Roles = []


class UserPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: Email | None = None
    name: Name | None = None
    roles: Roles | None = None
