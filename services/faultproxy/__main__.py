"""`python -m services.faultproxy [-host H] [-port P] [-config FILE] [-seed N]`:
a Toxiproxy 2.12-compatible server (flags as Toxiproxy's, Go style or with --)."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import sys

from ..common.logs import setup_logging
from .api import ApiError, Collection, create_app

log = logging.getLogger("faultproxy")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="faultproxy", description="Toxiproxy-compatible fault proxy")
    parser.add_argument("-host", "--host", default="localhost", help="API host (default localhost)")
    parser.add_argument("-port", "--port", type=int, default=8474, help="API port (default 8474)")
    parser.add_argument("-config", "--config", default="", help="JSON file of proxies to create at start")
    parser.add_argument("-seed", "--seed", type=int, default=None,
                        help="seed for jitter and toxicity, so a run can be replayed (default: random)")
    parser.add_argument("-log-level", "--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return parser


async def _populate(collection: Collection, path: str) -> None:
    try:
        with open(path) as config:
            entries = json.load(config)
        if not isinstance(entries, list):
            raise ValueError("expected a JSON array of proxies")
        for i, entry in enumerate(entries):
            await collection.add(*collection.parse_proxy(entry, f" at proxy {i + 1}"), replace=True)
        log.info("populated proxies from file", extra={"fields": {"config": path, "proxies": len(entries)}})
    except (OSError, ValueError, ApiError) as exc:
        # As Toxiproxy: a bad file is logged and the server runs without it.
        log.error("failed to populate proxies from file %s: %s", path, exc)


async def serve(args: argparse.Namespace) -> None:
    import uvicorn

    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**31)
    collection = Collection(seed)
    if args.config:
        await _populate(collection, args.config)
    config = uvicorn.Config(create_app(collection), host=args.host, port=args.port, log_config=None,
                            access_log=False, lifespan="off")
    log.info("starting the fault proxy API", extra={"fields": {"address": f"{args.host}:{args.port}",
                                                               "seed": seed}})
    try:
        await uvicorn.Server(config).serve()
    finally:
        for proxy in list(collection.proxies.values()):
            await proxy.stop()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    setup_logging(args.log_level)
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
