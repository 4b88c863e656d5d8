"""`python -m services.user_api [serve | migrate | seed N]`.

A bad configuration prints one line and exits 2 before anything is served.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from ..common.logs import setup_logging
from ..common.startup import config_or_exit
from .config import load_config


def _serve(config) -> int:
    import uvicorn

    from .app import create_app

    uvicorn.run(create_app(config), host="0.0.0.0", port=config.port, loop="uvloop", http="httptools",
                log_config=None, access_log=False, timeout_graceful_shutdown=config.shutdown_grace_seconds)
    return 0


async def _seed(config, count: int) -> int:
    from .db import Database
    from .metrics import Metrics
    from .users import Users

    db = Database(config, Metrics())
    await asyncio.wait_for(db.open_until_ready(), timeout=60)
    try:
        total = await Users(db).seed(count)
    finally:
        await db.close()
    print(f"seeded: {total} users in the database")
    return 0


async def _migrate(config) -> int:
    from .db import Database
    from .metrics import Metrics

    db = Database(config, Metrics())
    await asyncio.wait_for(db.open_until_ready(), timeout=60)
    await db.close()
    print("migrated")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="user-api")
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "migrate", "seed"])
    parser.add_argument("count", nargs="?", type=int, default=10_000, help="users to seed")
    args = parser.parse_args(argv)
    config = config_or_exit(load_config, "user-api")
    setup_logging(config.log_level)
    if args.command == "serve":
        return _serve(config)
    if args.command == "seed":
        return asyncio.run(_seed(config, args.count))
    return asyncio.run(_migrate(config))


if __name__ == "__main__":
    sys.exit(main())
