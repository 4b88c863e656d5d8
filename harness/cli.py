"""`drill`: the command line of runbook-drill.

Every error the user can cause or meet is one line on stderr and a non-zero exit:
2 for bad input or no engine, 3 when the harness could not do its job, 1 when the system
deviated, 130/143 on Ctrl-C/SIGTERM (after cleanup has run).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from harness import progress, signals
from harness.errors import ConfigError, DrillError
from harness.settings import IMAGE_POLICIES, describe, load_settings

REPORTS_DIR = Path("reports")


class _OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line (no usage dump) and exit 2."""

    def error(self, message: str):
        self.exit(2, f"drill: error: {message} (see `drill --help`)\n")


def _parser(extra_parsers=None) -> argparse.ArgumentParser:
    parser = _OneLineParser(prog="drill", description="Prove the User API runbook true.")
    parser.add_argument("--image-policy", choices=IMAGE_POLICIES,
                        help="auto: local, else pull, else build offline; offline: never pull; local: no pull/build")
    parser.add_argument("--pull-timeout", type=float, help="seconds a pull may go without progress")
    parser.add_argument("--engine-timeout", type=float, help="seconds to wait for a started dockerd")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what the harness does")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("setup", help="make sure the Docker engine runs and every image exists")
    images = sub.add_parser("images", help="resolve every image and print where it came from")
    images.add_argument("--no-build", action="store_true", help="only show what is present")
    clean = sub.add_parser("clean", help="remove the project's containers and networks")
    clean.add_argument("--stale", action="store_true", help="only those of runs whose process is gone")
    clean.add_argument("--images", action="store_true", help="also remove the images built offline")
    sub.add_parser("smoke", help="stack smoke run: real PostgreSQL + Redis, query, PING, cleanup")
    sub.add_parser("doctor", help="print the settings in force and the engine's state")
    compose = sub.add_parser("compose", help="the stack of docker-compose.yml: env file, up until healthy, down")
    compose.add_argument("action", choices=["up", "down", "env"],
                         help="up: write .env if missing, up -d, wait healthy; down: down -v, nothing left; "
                              "env: write .env (this host's images)")
    compose.add_argument("--file", metavar="PATH", help="the compose file (default ./docker-compose.yml)")
    compose.add_argument("--project", metavar="NAME",
                         help="compose project name (default $COMPOSE_PROJECT_NAME, else runbook-drill)")
    compose.add_argument("--timeout", type=float, default=180.0, help="seconds `up` waits for healthy services")
    if extra_parsers:
        extra_parsers(sub)
    return parser


def _cli_settings(args: argparse.Namespace) -> dict:
    return {"image_policy": args.image_policy, "pull_timeout": args.pull_timeout,
            "engine_timeout": args.engine_timeout}


def _age(created: str) -> str:
    if not created:
        return "-"
    stamp = datetime.fromisoformat(created[:26].rstrip("Z") + "+00:00")
    seconds = (datetime.now(timezone.utc) - stamp).total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"


def print_images(rows) -> None:
    """Prints one row per image: name, source, size, age, reference (or why unavailable)."""
    print(f"{'IMAGE':<11} {'SOURCE':<14} {'SIZE':>8} {'AGE':>5}  REFERENCE")
    for row in rows:
        size = f"{row.size / 1e6:.0f}MB" if row.size else "-"
        ref = row.ref if row.available else f"{row.ref}  ({row.detail})"
        built = f"  [built in {row.seconds:.0f}s]" if row.seconds else ""
        print(f"{row.name:<11} {row.source:<14} {size:>8} {_age(row.created):>5}  {ref}{built}")


def cmd_setup(settings, args) -> int:
    from harness.engine.daemon import ensure_engine
    from harness.engine.session import begin

    started = time.monotonic()
    how = ensure_engine(settings)
    session = begin(settings)
    try:
        rows = session.images.resolve_all(build=True)
    finally:
        session.close()
    print_images(rows)
    print(f"engine: {how}; testcontainers: {session.testcontainers}; "
          f"swept: {session.swept.total()}; setup took {time.monotonic() - started:.1f}s")
    return _images_exit(rows)


def _images_exit(rows) -> int:
    missing = [row for row in rows if not row.available]
    for row in missing:
        print(f"drill: error: image {row.name}: {row.detail}", file=sys.stderr)
    return 3 if missing else 0


def cmd_images(settings, args) -> int:
    from harness.engine.session import begin

    session = begin(settings)
    try:
        rows = session.images.resolve_all(build=not args.no_build)
    finally:
        session.close()
    print_images(rows)
    return 0 if args.no_build else _images_exit(rows)


def cmd_clean(settings, args) -> int:
    from harness.engine.resources import clean, sweep_stale
    from harness.engine.session import connect

    client = connect()
    try:
        swept = sweep_stale(client) if args.stale else clean(client, images=args.images)
    finally:
        client.close()
    for kind, names in (("container", swept.containers), ("network", swept.networks), ("image", swept.images)):
        for name in names:
            print(f"removed {kind} {name}")
    for name, reason in swept.failed.items():
        print(f"drill: error: could not remove {name}: {reason}", file=sys.stderr)
    print(f"removed {swept.total()} project resources")
    return 3 if swept.failed else 0


def cmd_smoke(settings, args) -> int:
    from harness.engine.daemon import ensure_engine
    from harness.engine.session import begin
    from harness.smoke import run_smoke

    ensure_engine(settings)
    session = begin(settings)
    try:
        result = run_smoke(session)
    finally:
        session.close()
    for step in result.steps:
        print(f"{'PASS' if step.ok else 'FAIL'}  {step.name:<24} {step.seconds:6.2f}s  {step.observed or step.error}")
    REPORTS_DIR.mkdir(exist_ok=True)
    report = REPORTS_DIR / "smoke.json"
    report.write_text(json.dumps(result.to_dict(), indent=2) + "\n")
    print(f"smoke: {'passed' if result.ok else 'FAILED'}; journal: {report}")
    return 0 if result.ok else 1


def cmd_doctor(settings, args) -> int:
    from harness.engine.daemon import engine_answers

    for name, value in describe(settings).items():
        print(f"{name:<16} {value}")
    print(f"{'engine':<16} {'answers' if engine_answers() else 'does not answer'}")
    return 0


def cmd_compose(settings, args) -> int:
    """`drill compose up|down|env`: the stack of docker-compose.yml on this host."""
    from harness.engine import compose
    from harness.engine.daemon import ensure_engine
    from harness.engine.session import begin

    project = compose.Project.of(args.file, args.project)
    if args.timeout <= 0:
        raise ConfigError(f"--timeout {args.timeout:g}: must be above 0")
    ensure_engine(settings)
    compose.compose_command()
    session = begin(settings)
    try:
        if args.action == "env":
            values = compose.write_env(session, project)
            print("\n".join(f"{key}={value}" for key, value in values.items() if key != "JWT_SECRET"))
            print(f"wrote {project.env_file}")
        elif args.action == "up":
            print("\n".join(compose.up(session, project, args.timeout)))
            print(f"compose project {project.name}: every service healthy; "
                  f"`drill run --target compose --compose-project {project.name}` runs the suite on it")
        else:
            compose.down(session, project)
            print(f"compose project {project.name}: down; no container, network or volume left")
    finally:
        session.close()
    return 0


COMMANDS = {"setup": cmd_setup, "images": cmd_images, "clean": cmd_clean, "smoke": cmd_smoke,
            "doctor": cmd_doctor, "compose": cmd_compose}


def main(argv: list[str] | None = None, extra_parsers=None, extra_commands=None) -> int:
    """Runs one `drill` command; returns the process exit code. The runbook suite's
    commands (scenarios/cli.py) come in as `extra_parsers` and `extra_commands`."""
    args = _parser(extra_parsers).parse_args(argv)
    commands = {**COMMANDS, **(extra_commands or {})}
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    signals.install()
    try:
        settings = load_settings(_cli_settings(args))
        command = commands[args.command]
        # An interactive command (a game day asks for Enter) gets plain lines: a live
        # line redrawn under a prompt would hide it.
        reporter = progress.Plain(sys.stderr) if getattr(command, "interactive", False) else \
            progress.for_stream(sys.stderr)
        with progress.use(reporter):
            return command(settings, args)
    except DrillError as exc:
        print(f"drill: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("drill: interrupted; cleanup done", file=sys.stderr)
        return signals.exit_code()


if __name__ == "__main__":
    sys.exit(main())
