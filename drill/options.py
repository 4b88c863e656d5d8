"""RunOptions: every option of a `drill` command, parsed once from the command line,
validated, and frozen - what every command, and a team's code, is given instead of
argparse's Namespace.

Each field is one option's destination (`--user-api-image` is `user_api_image`); an
option a command does not take keeps the field's default. A test keeps the fields equal
to the parser's options.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from runbook_drill.harness.errors import ConfigError
from runbook_drill.harness.run.shards import Shard

REPEATED = ("ids", "section", "stop_when", "user_api_env", "merge", "scenarios")  # lists on the command line: tuples here
PATHS = ("runbook", "dashboard", "junit", "summary_md", "durations_from", "mutants", "source", "save", "load", "file",
         "journals", "out", "reports")


@dataclass(frozen=True)
class RunOptions:
    """The options of one `drill` command; build with `from_namespace`, or
    `runbook_drill.cli.parse_options(argv)` from a command line."""

    command: str
    # settings given as flags (they go over the environment and the settings file)
    image_policy: str | None = None
    pull_timeout: float | None = None
    engine_timeout: float | None = None
    verbose: bool = False
    # what is judged, and by which runbook
    ids: tuple[str, ...] = ()
    id: str | None = None
    section: tuple[str, ...] = ()
    runbook: Path | None = None
    scenarios: tuple[str, ...] = ()  # a team's scenario files and directories (over the setting)
    dashboard: Path | None = None  # the Grafana dashboard judged (default: the runbook's generated one)
    seed: int | None = None
    # the User API: a candidate image and its service profile (or, for `alerts` and
    # `export`, the name of an alert or target profile)
    user_api_image: str | None = None
    baseline_image: str | None = None
    profile: str | None = None
    user_api_port: int | None = None
    user_api_env: tuple[str, ...] = ()
    # where the stack comes from
    target: str = "harness"
    compose_project: str | None = None
    # how a run goes
    plan: bool = False
    stop_when: tuple[str, ...] = ()
    repeat: int = 1
    rerun_failed: int = 0
    shard: str | None = None
    durations_from: Path | None = None
    auto: bool = False
    # what a run writes
    junit: Path | None = None
    summary_md: Path | None = None
    flaky_is_ok: bool = False
    strict_coverage: bool = False
    strict_alerts: bool = False
    out: Path | None = None
    # reading stored runs: `report`, `history`
    journals: Path | None = None
    merge: tuple[str, ...] = ()
    reports: Path | None = None
    keep: int | None = None
    # images, builds, the kill matrix, cleanup, compose, abort, export, alerts
    no_build: bool = False
    save: Path | None = None
    load: Path | None = None
    what: str | None = None
    source: Path | None = None
    tag: str | None = None
    mutants: Path | None = None
    all_scenarios: bool = False
    images: bool = False
    stale: bool = False
    action: str | None = None
    file: Path | None = None
    project: str | None = None
    timeout: float | None = None
    list: bool = False
    run: str | None = None
    engine: str | None = None
    runbook_url: str | None = None

    @classmethod
    def from_namespace(cls, namespace: argparse.Namespace) -> "RunOptions":
        """Returns the options of a parsed command line; raises ConfigError (one line)
        for a combination of options no command can honour."""
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in vars(namespace).items() if v is not None}
        unknown = sorted(set(values) - names)
        if unknown:  # a parser option without a field: a defect of drill, found by its tests
            raise TypeError(f"RunOptions has no field for the option {unknown[0]!r}")
        options = cls(**{name: _typed(name, value) for name, value in values.items()})
        options.validate()
        return options

    def validate(self) -> None:
        """Raises ConfigError (one line, naming the option) for options that contradict."""
        if self.baseline_image and not self.user_api_image:
            raise ConfigError("--baseline-image compares a candidate with it: give the candidate as --user-api-image")
        if self.shard is not None:
            Shard.parse(self.shard)

    def settings_flags(self) -> dict[str, Any]:
        """Returns the settings given as flags (None: not given), for load_settings."""
        return {"image_policy": self.image_policy, "pull_timeout": self.pull_timeout,
                "engine_timeout": self.engine_timeout, "scenarios": self.scenarios or None}


def _typed(name: str, value: Any) -> Any:
    if name in REPEATED:
        return tuple(value)
    if name in PATHS:
        return Path(value)
    return value
