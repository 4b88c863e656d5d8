"""`toxiproxy-cli list` - the one command of Toxiproxy's CLI that the official image's
users rely on without a terminal: docker-compose's healthcheck of the proxy. Lists the
proxies of the server at --host (default http://localhost:8474, as Toxiproxy's CLI);
exits 1 with one line when the server does not answer."""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="toxiproxy-cli", description="Toxiproxy CLI (list only)")
    parser.add_argument("-host", "--host", default="http://localhost:8474", help="Toxiproxy API base URL")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", aliases=["l", "li", "ls"], help="list all proxies")
    return parser


def list_proxies(host: str) -> list[dict]:
    """Returns the server's proxies, sorted by name; raises OSError when it does not answer."""
    with urllib.request.urlopen(f"{host.rstrip('/')}/proxies", timeout=3) as answer:
        return sorted(json.load(answer).values(), key=lambda proxy: proxy["name"])


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        proxies = list_proxies(args.host)
    except (OSError, ValueError) as exc:
        print(f"Failed to retrieve proxies: {exc}", file=sys.stderr)
        return 1
    print("Name\tListen\tUpstream\tEnabled\tToxics")
    for proxy in proxies:
        print(f"{proxy['name']}\t{proxy['listen']}\t{proxy['upstream']}\t{proxy['enabled']}\t{len(proxy['toxics'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
