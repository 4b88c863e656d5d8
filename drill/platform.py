"""`drill`'s platform commands: setup, images, clean, smoke, doctor and compose - the
engine, the images and the compose project, no scenario involved."""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from runbook_drill.runs import REPORTS_DIR, engine_session
from runbook_drill.harness.errors import ConfigError
from runbook_drill.harness.settings import describe


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


def cmd_setup(settings, options) -> int:
    from runbook_drill.harness.engine.daemon import ensure_engine

    started = time.monotonic()
    how = ensure_engine(settings)
    with engine_session(settings, start_engine=False) as session:
        rows = session.images.resolve_all(build=True)
    print_images(rows)
    print(f"engine: {how}; testcontainers: {session.testcontainers}; "
          f"swept: {session.swept.total()}; setup took {time.monotonic() - started:.1f}s")
    return _images_exit(rows)


def _images_exit(rows) -> int:
    missing = [row for row in rows if not row.available]
    for row in missing:
        print(f"drill: error: image {row.name}: {row.detail}", file=sys.stderr)
    return 3 if missing else 0


def cmd_images(settings, options) -> int:
    """Resolves (or, --no-build, shows) every image; with --save DIR / --load DIR, the
    image cache of a CI runner (harness/engine/cache.py): saved, or loaded and what
    changed since rebuilt. Exit 0, 2 for a bad directory, 3 when an image cannot be had."""
    if options.save or options.load:
        return _cache(settings, Path(options.save or options.load), "save" if options.save else "load")
    with engine_session(settings, start_engine=False) as session:
        rows = session.images.resolve_all(build=not options.no_build)
    print_images(rows)
    return 0 if options.no_build else _images_exit(rows)


def _cache(settings, directory: Path, how: str) -> int:
    from runbook_drill.harness.engine import cache

    if how == "load":
        cache.read_index(directory)  # a directory that is not a cache: exit 2 before the engine starts
    started = time.monotonic()
    with engine_session(settings) as session:
        action = cache.save if how == "save" else cache.load
        for line in action(session.images, session.client, directory):
            print(line, flush=True)
        rows = session.images.resolve_all() if how == "load" else []
    if rows:
        print_images(rows)
    done = "saved to" if how == "save" else "loaded from"
    print(f"images {done} {directory} in {time.monotonic() - started:.1f}s")
    return _images_exit(rows) if rows else 0


def cmd_clean(settings, options) -> int:
    from runbook_drill.harness.engine.resources import clean, sweep_stale
    from runbook_drill.harness.engine.session import connect

    client = connect()
    try:
        swept = sweep_stale(client) if options.stale else clean(client, images=options.images)
    finally:
        client.close()
    for kind, names in (("container", swept.containers), ("network", swept.networks), ("image", swept.images)):
        for name in names:
            print(f"removed {kind} {name}")
    for name, reason in swept.failed.items():
        print(f"drill: error: could not remove {name}: {reason}", file=sys.stderr)
    print(f"removed {swept.total()} project resources")
    return 3 if swept.failed else 0


def cmd_smoke(settings, options) -> int:
    from runbook_drill.harness.engine.smoke import run_smoke

    with engine_session(settings) as session:
        result = run_smoke(session)
    for step in result.steps:
        print(f"{'PASS' if step.ok else 'FAIL'}  {step.name:<24} {step.seconds:6.2f}s  {step.observed or step.error}")
    REPORTS_DIR.mkdir(exist_ok=True)
    report = REPORTS_DIR / "smoke.json"
    report.write_text(json.dumps(result.to_dict(), indent=2) + "\n")
    print(f"smoke: {'passed' if result.ok else 'FAILED'}; journal: {report}")
    return 0 if result.ok else 1


def cmd_doctor(settings, options) -> int:
    from runbook_drill.harness.engine.daemon import engine_answers

    for name, value in describe(settings).items():
        print(f"{name:<16} {value}")
    print(f"{'engine':<16} {'answers' if engine_answers() else 'does not answer'}")
    return 0


def cmd_compose(settings, options) -> int:
    """`drill compose init|up|down|env`: the stack of docker-compose.yml on this host."""
    from runbook_drill.harness.engine import compose
    from runbook_drill.harness.engine.daemon import ensure_engine

    if options.action == "init":  # no engine needed: the files only
        written = compose.Project.init(options.file and str(options.file))
        print(f"wrote {', '.join(map(str, written))}; `drill compose up` starts it")
        return 0
    project = compose.Project.of(options.file, options.project)
    if options.timeout <= 0:
        raise ConfigError(f"--timeout {options.timeout:g}: must be above 0")
    ensure_engine(settings)
    compose.compose_command()
    with engine_session(settings, start_engine=False) as session:
        if options.action == "env":
            values = compose.write_env(session, project)
            print("\n".join(f"{key}={value}" for key, value in values.items() if key != "JWT_SECRET"))
            print(f"wrote {project.env_file}")
        elif options.action == "up":
            print("\n".join(compose.up(session, project, options.timeout)))
            print(f"compose project {project.name}: every service healthy; "
                  f"`drill run --target compose --compose-project {project.name}` runs the suite on it")
        else:
            compose.down(session, project)
            print(f"compose project {project.name}: down; no container, network or volume left")
    return 0


COMMANDS = {"setup": cmd_setup, "images": cmd_images, "clean": cmd_clean, "smoke": cmd_smoke,
            "doctor": cmd_doctor, "compose": cmd_compose}


def add_parsers(sub) -> None:
    """Adds setup, images, clean, smoke, doctor and compose to the `drill` parser."""
    sub.add_parser("setup", help="make sure the Docker engine runs and every image exists")
    images = sub.add_parser("images", help="resolve every image and print where it came from")
    images.add_argument("--no-build", action="store_true", help="only show what is present")
    cached = images.add_mutually_exclusive_group()
    cached.add_argument("--save", metavar="DIR", help="save every image into DIR (a CI cache; keyed by the recipes)")
    cached.add_argument("--load", metavar="DIR", help="load the images saved in DIR; one whose recipe changed is rebuilt")
    clean = sub.add_parser("clean", help="remove the project's containers and networks")
    clean.add_argument("--stale", action="store_true", help="only those of runs whose process is gone")
    clean.add_argument("--images", action="store_true", help="also remove the images built offline")
    sub.add_parser("smoke", help="stack smoke run: real PostgreSQL + Redis, query, PING, cleanup")
    sub.add_parser("doctor", help="print the settings in force and the engine's state")
    compose = sub.add_parser("compose", help="the stack of docker-compose.yml: env file, up until healthy, down")
    compose.add_argument("action", choices=["init", "up", "down", "env"],
                         help="init: write the compose project the tool carries here; up: write .env if missing, "
                              "up -d, wait healthy; down: down -v, nothing left; "
                              "env: write .env (this host's images)")
    compose.add_argument("--file", metavar="PATH", help="the compose file (default ./docker-compose.yml)")
    compose.add_argument("--project", metavar="NAME",
                         help="compose project name (default $COMPOSE_PROJECT_NAME, else runbook-drill)")
    compose.add_argument("--timeout", type=float, default=180.0, help="seconds `up` waits for healthy services")
