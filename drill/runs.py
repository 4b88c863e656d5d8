"""What the commands that run something share: the runbook and the scenarios chosen,
the stack target (started here or a compose project attached), the run directories and
the `reports/latest` link, and the engine session as a context manager."""

from __future__ import annotations

import contextlib
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from runbook_drill.harness.errors import ConfigError
from runbook_drill.harness.runbook import RUNBOOK, Runbook

REPORTS_DIR = Path("reports")


def runbook_of(options) -> Runbook:
    """Returns the runbook a command judges by: --runbook PATH, or the bundled one.
    Raises RunbookError (drift) when it no longer parses."""
    return Runbook(Path(options.runbook) if options.runbook else RUNBOOK)


def scenarios_of(options, settings) -> list:
    """Returns every scenario - the built-in ones and the team's (`--scenarios`, else the
    `scenarios` setting; and installed entry points) - built from the command's runbook.
    Raises RunbookError (drift) or ConfigError (a bad team scenario, one line each)."""
    from runbook_drill import scenarios
    return scenarios.build(runbook_of(options), seed=options.seed or 1, extensions=settings.scenarios,
                           dashboard=dashboard_file(options.dashboard) if options.dashboard else None)


def dashboard_file(path: Path) -> dict:
    """Returns a Grafana dashboard's JSON model read from `path` (an export of the UI, or
    the API's {"dashboard": ...}); raises ConfigError (one line) for a file that is not one."""
    import json

    try:
        model = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"--dashboard {path}: not a Grafana dashboard (JSON): {exc}") from None
    model = model.get("dashboard", model) if isinstance(model, dict) else model
    if not isinstance(model, dict) or not isinstance(model.get("panels"), list):
        raise ConfigError(f"--dashboard {path}: not a Grafana dashboard: no \"panels\" list")
    return model


def add_scenarios_argument(parser) -> None:
    """Adds --scenarios PATH (repeatable) to a command that builds the scenarios."""
    parser.add_argument("--scenarios", action="append", metavar="PATH",
                        help="a team's scenarios: a .toml or .py file, or a directory of them (repeatable; "
                             "over the `scenarios` setting); see docs/how-to/team-scenarios.md")


@contextlib.contextmanager
def engine_session(settings, start_engine: bool = True) -> Iterator:
    """Yields a harness Session on a Docker engine that answers (started first, as root
    with apt, when `start_engine`); the session is closed on leaving, whatever happened.
    Raises EngineUnavailable when no engine can be had."""
    from runbook_drill.harness.engine.daemon import ensure_engine
    from runbook_drill.harness.engine.session import begin

    if start_engine:
        ensure_engine(settings)
    with begin(settings) as session:
        yield session


class StackChoice:
    """How a command gets its stack: started by the harness, or a compose project
    attached (--target compose); `target` says which, for the first line of a run."""

    def __init__(self, options) -> None:
        """Raises ConfigError for options a compose project cannot honour."""
        self.project = None
        if options.target == "compose":
            from runbook_drill.harness.engine.compose import DEFAULT_PROJECT

            for option, given in (("user_api_image", options.user_api_image),
                                  ("baseline_image", options.baseline_image)):
                if given:
                    raise ConfigError(f"--{option.replace('_', '-')} does not go with --target compose: the project "
                                      "runs its USER_API_IMAGE (set it in .env and `drill compose up`)")
            self.project = options.compose_project or os.environ.get("COMPOSE_PROJECT_NAME") or DEFAULT_PROJECT

    @property
    def target(self) -> str | None:
        return f"compose project {self.project}" if self.project else None

    def __call__(self, session, config):
        """Returns the unstarted stack (a context manager)."""
        from runbook_drill.harness.stack import Stack
        from runbook_drill.harness.stack.compose import ComposeStack

        return ComposeStack(session, config, self.project) if self.project else Stack(session, config)


def add_target_arguments(parser) -> None:
    """Adds --target and --compose-project to a command that runs scenarios."""
    parser.add_argument("--target", choices=["harness", "compose"], default="harness",
                        help="harness: start a stack for the run (default); compose: attach to the project "
                             "docker-compose keeps up (`drill compose up`)")
    parser.add_argument("--compose-project", metavar="NAME",
                        help="with --target compose: the project (default $COMPOSE_PROJECT_NAME, else runbook-drill)")


def require_image(session, ref: str) -> None:
    """Raises ConfigError when the engine has no image `ref` (a candidate not built)."""
    import docker.errors

    try:
        session.client.images.get(ref)
    except docker.errors.ImageNotFound:
        raise ConfigError(f"--user-api-image {ref}: no such image (build one with `drill build user-api "
                          f"--tag {ref}`)") from None


def new_run_dir() -> tuple[str, Path]:
    """Returns (run id, reports/<run id>) for a new run; the directory is not made yet."""
    run_id = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}"
    return run_id, REPORTS_DIR / run_id


def point_latest(run_dir: Path) -> None:
    """Points reports/latest at `run_dir`."""
    latest = REPORTS_DIR / "latest"
    if latest.is_symlink() or latest.exists():
        latest.unlink()
    latest.symlink_to(run_dir.name)


def add_profile_arguments(parser) -> None:
    """Adds the service profile's options: --profile FILE, --user-api-port, --user-api-env."""
    parser.add_argument("--profile", metavar="FILE",
                        help="the User API image's service profile (TOML; docs/contract.md): its port, the "
                             "variables it reads, the suite's knobs by its names (default: the bundled User API's)")
    parser.add_argument("--user-api-port", type=int, metavar="PORT", help="the port the image listens on "
                        "(over the profile's)")
    parser.add_argument("--user-api-env", action="append", metavar="NAME=VALUE",
                        help="extra environment for the image (over the profile's; repeatable)")


def profile_of(options):
    """Returns the ServiceProfile the command's flags choose; raises ConfigError (one
    line naming the key) for a bad file or flag, or a knob the suite sets that it does
    not name - before anything starts."""
    from runbook_drill.harness.stack.profile import load_profile, with_flags

    profile = load_profile(Path(options.profile) if options.profile else None)
    profile = with_flags(profile, options.user_api_port, options.user_api_env)
    return profile.require_knobs()


def add_plan_argument(parser) -> None:
    parser.add_argument("--plan", action="store_true",
                        help="print what would be done - faults, what they touch, blast radius, remediation, the "
                             "longest time anything stays broken - and start nothing")


def print_plan(chosen: list, stops_for) -> int:
    """Prints the plan of each scenario with its stop conditions (`stops_for(scenario)`);
    nothing is started, no engine asked. Returns 0."""
    from runbook_drill.harness.run.plan import plan

    plans = [plan(scenario) for scenario in chosen]
    for scenario, one in zip(chosen, plans):
        said = "; ".join(c.text for c in stops_for(scenario)) or "none"
        print("\n".join(one.lines() + [f"   stop conditions: {said}"]) + "\n")
    longest = max(plans, key=lambda p: p.longest_broken_s)
    print(f"{len(plans)} scenario(s), one at a time; the longest time anything stays broken: "
          f"{longest.longest_broken_s:.0f} s ({longest.scenario}); nothing was started")
    return 0


def add_stop_argument(parser) -> None:
    parser.add_argument("--stop-when", action="append", metavar="EXPR",
                        help="a stop condition: heal at once and record the scenario aborted (exit 4) when it holds; "
                             "replaces the runbook's default of its kind, or adds one: 'error_rate>20%% for 10s', "
                             "'p99>5s for 30s', 'alert ServiceDown for 60s', 'down for 300s' (repeatable)")
