"""One settings object for the whole harness.

Precedence, highest first: command-line flags > environment variables (DRILL_*) >
the settings file (`drill.toml` in the working directory, or the path in DRILL_CONFIG)
> defaults. Every value is validated, and an error names the setting and where the bad
value came from.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Callable, Mapping

from runbook_drill.harness.errors import ConfigError

IMAGE_POLICIES = ("auto", "offline", "local")


def _positive_seconds(value: Any) -> float:
    seconds = float(value)
    if not seconds > 0:
        raise ValueError("must be a positive number of seconds")
    return seconds


def _image_policy(value: Any) -> str:
    policy = str(value)
    if policy not in IMAGE_POLICIES:
        raise ValueError(f"must be one of {', '.join(IMAGE_POLICIES)}")
    return policy


def xdg_dir(env: Mapping[str, str], variable: str, fallback: str) -> Path:
    """Returns runbook-drill's folder under the XDG base directory `variable` (e.g.
    XDG_STATE_HOME), or under ~/`fallback` when it is unset or not absolute (as the
    XDG Base Directory specification says)."""
    base = env.get(variable, "")
    root = Path(base) if base.startswith("/") else Path(env.get("HOME") or Path.home()) / fallback
    return root / "runbook-drill"


def _optional_str(value: Any) -> str | None:
    text = str(value).strip()
    return text or None


def _paths(value: Any) -> tuple[Path, ...]:
    """Returns paths from a list, or from a string separated by `:` (the environment)."""
    if isinstance(value, str):
        value = [part for part in value.split(os.pathsep) if part.strip()]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, (str, Path)) for v in value):
        raise ValueError("must be a list of paths")
    return tuple(Path(v) for v in value)


@dataclass(frozen=True)
class Settings:
    """Validated settings; build them with `load_settings`, not by hand."""

    # auto: local image, else pull, else build offline; offline: never pull;
    # local: use only what is already present (fail fast otherwise).
    image_policy: str = "auto"
    pull_timeout: float = 30.0
    engine_timeout: float = 60.0
    dockerd_log: Path = Path("/var/log/runbook-drill-dockerd.log")
    # Where a user's tools keep their state and caches (XDG), never the working directory:
    # the runs running now (for `drill abort`) and build logs; downloaded wheels and
    # build scratch space.
    state_dir: Path = field(default_factory=lambda: xdg_dir(os.environ, "XDG_STATE_HOME", ".local/state"))
    cache_dir: Path = field(default_factory=lambda: xdg_dir(os.environ, "XDG_CACHE_HOME", ".cache"))
    debian_suite: str = "bookworm"
    debian_mirror: str | None = None  # None: read from the machine's apt configuration
    # The kill switch for CI: while this file exists, a running run or game day heals
    # everything and stops (exit 130); one started while it exists stops at once.
    abort_file: Path | None = None
    # A team's own scenarios (files and directories of *.toml and *.py), added to the suite.
    scenarios: tuple[Path, ...] = ()


# What each setting means (docs/reference/settings.md is generated from these).
DESCRIPTIONS = {
    "image_policy": "auto: a local image, else pulled, else built offline; offline: never pull; local: only what "
                    "is present (neither pull nor build)",
    "pull_timeout": "seconds a pull may go without progress",
    "engine_timeout": "seconds to wait for a dockerd this tool started",
    "dockerd_log": "the log of a dockerd this tool starts",
    "state_dir": "the runs running now (for `drill abort`) and build logs",
    "cache_dir": "downloaded wheels for offline image builds, build scratch space",
    "debian_suite": "the Debian suite of the offline base image",
    "debian_mirror": "the mirror for debootstrap (default: the machine's apt configuration)",
    "abort_file": "the kill switch for CI: while this file exists a run or game day heals everything and exits "
                  "130 (its first line is kept as who asked)",
    "scenarios": "a team's scenario files and directories (*.toml, *.py) added to the built-in suite; in the "
                 "environment separated by `:`, in drill.toml a list; `--scenarios PATH` (repeatable) goes over both",
}
# Defaults that depend on the machine, as the reference says them.
DEFAULTS_SAID = {"state_dir": "`$XDG_STATE_HOME/runbook-drill` (`~/.local/state/runbook-drill`)",
                 "cache_dir": "`$XDG_CACHE_HOME/runbook-drill` (`~/.cache/runbook-drill`)",
                 "debian_mirror": "from /etc/apt", "abort_file": "(none)",
                 "scenarios": "(none)"}

_PARSERS: dict[str, Callable[[Any], Any]] = {
    "image_policy": _image_policy,
    "pull_timeout": _positive_seconds,
    "engine_timeout": _positive_seconds,
    "dockerd_log": Path,
    "state_dir": Path,
    "cache_dir": Path,
    "debian_suite": str,
    "debian_mirror": _optional_str,
    "abort_file": lambda value: Path(value) if _optional_str(value) else None,
    "scenarios": lambda value: _paths(value),
}


def env_name(field_name: str) -> str:
    """Returns the environment variable that sets `field_name` (DRILL_ + upper case)."""
    return "DRILL_" + field_name.upper()


def _read_file(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"settings file {path}: {exc}") from None
    unknown = sorted(set(data) - set(_PARSERS))
    if unknown:
        raise ConfigError(f"settings file {path}: unknown setting {unknown[0]!r}")
    return data


def _layered(cli: Mapping[str, Any], env: Mapping[str, str], file_values: Mapping[str, Any],
             file_path: Path) -> dict[str, tuple[Any, str]]:
    chosen: dict[str, tuple[Any, str]] = {}
    for name in _PARSERS:
        if cli.get(name) is not None:
            chosen[name] = (cli[name], f"--{name.replace('_', '-')}")
        elif env_name(name) in env:
            chosen[name] = (env[env_name(name)], env_name(name))
        elif name in file_values:
            chosen[name] = (file_values[name], str(file_path))
    return chosen


def load_settings(cli: Mapping[str, Any] | None = None,
                  env: Mapping[str, str] | None = None) -> Settings:
    """Returns the Settings from CLI values, the environment and the settings file.

    Raises ConfigError naming the setting and its source when a value is invalid.
    """
    env = os.environ if env is None else env
    file_path = Path(env.get("DRILL_CONFIG", "drill.toml"))
    chosen = _layered(cli or {}, env, _read_file(file_path), file_path)
    values = {}
    for name, (raw, source) in chosen.items():
        try:
            values[name] = _PARSERS[name](raw)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{name} = {raw!r} (from {source}): {exc}") from None
    values.setdefault("state_dir", xdg_dir(env, "XDG_STATE_HOME", ".local/state"))
    values.setdefault("cache_dir", xdg_dir(env, "XDG_CACHE_HOME", ".cache"))
    return Settings(**values)


def describe(settings: Settings) -> dict[str, str]:
    """Returns each setting's current value as text, for `drill doctor`."""
    return {f.name: str(getattr(settings, f.name)) for f in fields(settings)}
