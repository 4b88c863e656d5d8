"""Users and their roles in PostgreSQL. A list page costs two queries whatever its
size (the page, then every role of the page at once) - the fix of the 2024-08-10 N+1
incident, which the n_plus_one regression re-introduces on purpose."""

from __future__ import annotations

from typing import Any

import asyncpg

from .db import Conflict, Database

USER_COLUMNS = "id, email, name, created_at, updated_at"


def _user(row: asyncpg.Record, roles: list[str]) -> dict[str, Any]:
    return {"id": row["id"], "email": row["email"], "name": row["name"], "roles": sorted(roles),
            "created_at": row["created_at"].isoformat(), "updated_at": row["updated_at"].isoformat()}


class Users:
    """The users resource; every method raises DatabaseError on database failures."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, user_id: int) -> dict[str, Any] | None:
        """Returns the user with its roles, or None when there is no such user."""
        async with self.db.connection(release=False) as conn:
            row = await conn.fetchrow(f"SELECT {USER_COLUMNS} FROM users WHERE id = $1", user_id)
            if row is None:
                return None
            roles = await conn.fetch("SELECT role FROM user_roles WHERE user_id = $1", user_id)
        return _user(row, [r["role"] for r in roles])

    async def page(self, after: int, limit: int) -> list[dict[str, Any]]:
        """Returns up to `limit` users with id > `after`, in id order, with their roles."""
        if self.db.config.has_regression("unpaginated"):
            after, limit = 0, 2**31 - 1  # the bug: every user, whatever was asked
        async with self.db.connection() as conn:
            rows = await conn.fetch(f"SELECT {USER_COLUMNS} FROM users WHERE id > $1 ORDER BY id LIMIT $2",
                                    after, limit)
            ids = [row["id"] for row in rows]
            if self.db.config.has_regression("n_plus_one"):
                roles = {i: [r["role"] for r in await conn.fetch(
                    "SELECT role FROM user_roles WHERE user_id = $1", i)] for i in ids}
            else:
                roles = {i: [] for i in ids}
                for r in await conn.fetch("SELECT user_id, role FROM user_roles WHERE user_id = ANY($1::bigint[])",
                                          ids):
                    roles[r["user_id"]].append(r["role"])
        return [_user(row, roles[row["id"]]) for row in rows]

    async def create(self, email: str, name: str, roles: list[str]) -> dict[str, Any]:
        """Returns the new user; raises Conflict when the email is taken."""
        async with self.db.connection() as conn, conn.transaction():
            try:
                row = await conn.fetchrow(f"INSERT INTO users (email, name) VALUES ($1, $2) RETURNING {USER_COLUMNS}",
                                          email, name)
            except asyncpg.UniqueViolationError:
                raise Conflict(f"email {email!r} is already taken") from None
            await self._set_roles(conn, row["id"], roles)
        return _user(row, roles)

    async def update(self, user_id: int, email: str | None, name: str | None,
                     roles: list[str] | None) -> dict[str, Any] | None:
        """Returns the updated user, or None when there is no such user."""
        async with self.db.connection() as conn, conn.transaction():
            try:
                row = await conn.fetchrow(
                    f"UPDATE users SET email = COALESCE($2, email), name = COALESCE($3, name), updated_at = now() "
                    f"WHERE id = $1 RETURNING {USER_COLUMNS}", user_id, email, name)
            except asyncpg.UniqueViolationError:
                raise Conflict(f"email {email!r} is already taken") from None
            if row is None:
                return None
            if roles is not None:
                await conn.execute("DELETE FROM user_roles WHERE user_id = $1", user_id)
                await self._set_roles(conn, user_id, roles)
            current = [r["role"] for r in await conn.fetch("SELECT role FROM user_roles WHERE user_id = $1", user_id)]
        return _user(row, current)

    async def delete(self, user_id: int) -> bool:
        """Returns True when a user was deleted."""
        async with self.db.connection() as conn:
            status = await conn.execute("DELETE FROM users WHERE id = $1", user_id)
        return status == "DELETE 1"

    @staticmethod
    async def _set_roles(conn: asyncpg.Connection, user_id: int, roles: list[str]) -> None:
        if roles:
            await conn.executemany("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)",
                                   [(user_id, role) for role in sorted(set(roles))])

    async def seed(self, count: int) -> int:
        """Loads `count` deterministic users (seed-N@example.test) with 1-4 roles each,
        skipping those already there; returns how many users exist afterwards."""
        async with self.db.connection() as conn, conn.transaction():
            await conn.execute(
                "INSERT INTO users (email, name) SELECT 'seed-' || g || '@example.test', 'Seed User ' || g "
                "FROM generate_series(1, $1) g ON CONFLICT (email) DO NOTHING", count)
            await conn.execute(
                "INSERT INTO user_roles (user_id, role) SELECT u.id, r.role FROM users u "
                "CROSS JOIN unnest(ARRAY['reader', 'writer', 'admin', 'auditor']) AS r(role) "
                "WHERE u.email LIKE 'seed-%' AND (r.role = 'reader' OR abs(hashtext(u.email || r.role)) % 3 = 0) "
                "ON CONFLICT DO NOTHING")
            return await conn.fetchval("SELECT count(*) FROM users")
