"""The service profile: what differs between teams' User API images and the runbook
does not fix - the port it listens on, the environment variables it reads for its
dependencies, the variables of the suite's tuning knobs, extra environment, and an
optional command that makes users. The default profile is the bundled User API's.

A profile is a TOML file (docs/contract.md shows one):

    [user_api]
    port = 8000
    startup_timeout_s = 60
    create_users = ["/app/seed", "{count}"]   # optional; default: POST /users

    [user_api.environment]     # variable the image reads = template of its value
    PGHOST = "{postgres_host}"

    [user_api.knobs]           # suite knob = the image's variable (absent: not tunable)
    db_pool_max = "POOL_SIZE"
    db_pool_timeout_s = { variable = "POOL_WAIT", unit = "duration" }   # written 500ms

    [user_api.extra_environment]
    LOG_FORMAT = "text"

Command-line flags override it (--user-api-port, --user-api-env KEY=VALUE). Every value
is validated; an error names the key and raises ConfigError (exit 2) before anything
starts."""

from __future__ import annotations

import re
import string
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

from runbook_drill.harness.errors import ConfigError

# The values an environment template may use; the stack fills them in.
PLACEHOLDERS = ("database_url", "postgres_host", "postgres_port", "postgres_user", "postgres_password",
                "postgres_db", "redis_url", "redis_host", "redis_port", "auth_url", "jwt_secret")
# The suite's tuning knobs: what each sets (the scenarios that need one say so).
KNOBS = {
    "rate_limit_requests": "requests one client may make per window",
    "rate_limit_window_s": "the rate limit's window, in seconds",
    "auth_cache_s": "how long a token's check with the auth service is remembered, in seconds",
    "db_pool_max": "most database connections open at once",
    "db_pool_min": "database connections kept open",
    "db_pool_timeout_s": "longest wait for a free database connection, in seconds",
    "db_statement_timeout_ms": "the database statement timeout, in milliseconds",
}
COUNTS = {"rate_limit_requests", "db_pool_max", "db_pool_min"}  # written as whole numbers: 2
# How a time knob's value is written: "s" decimal seconds, whole ones without a point (10,
# 0.5); "ms" whole milliseconds (500); "duration" a number and its unit, as Go's
# time.ParseDuration and most duration parsers read it (500ms, 10s). A knob in seconds is
# written in "s" unless the profile says otherwise, one in milliseconds in "ms".
UNITS = ("s", "ms", "duration")
OPTIONAL_KNOBS = {"db_pool_min"}  # set when the image has it; a service without it still runs the scenario
REFERENCE_ENVIRONMENT = {"DATABASE_URL": "{database_url}", "REDIS_URL": "{redis_url}",
                         "AUTH_SERVICE_URL": "{auth_url}", "JWT_SECRET": "{jwt_secret}"}
REFERENCE_KNOBS = {"rate_limit_requests": "RATE_LIMIT_REQUESTS", "rate_limit_window_s": "RATE_LIMIT_WINDOW_SECONDS",
                   "auth_cache_s": "AUTH_CACHE_SECONDS", "db_pool_max": "DB_POOL_MAX", "db_pool_min": "DB_POOL_MIN",
                   "db_pool_timeout_s": "DB_POOL_TIMEOUT_SECONDS", "db_statement_timeout_ms": "DB_STATEMENT_TIMEOUT_MS"}
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_KEYS = {"port", "startup_timeout_s", "create_users", "environment", "knobs", "extra_environment"}


@dataclass(frozen=True)
class ServiceProfile:
    """A validated profile; build one with `load_profile` (or take the default)."""

    port: int = 8000
    startup_timeout_s: float = 60.0
    create_users: tuple[str, ...] = ()  # argv run in a replica; "{count}" is the number asked
    environment: Mapping[str, str] = field(default_factory=lambda: dict(REFERENCE_ENVIRONMENT))
    knobs: Mapping[str, str] = field(default_factory=lambda: dict(REFERENCE_KNOBS))
    knob_units: Mapping[str, str] = field(default_factory=dict)  # a time knob's unit when not its own
    extra_environment: Mapping[str, str] = field(default_factory=dict)
    source: str = "the bundled User API's profile"

    def dependency_env(self, values: Mapping[str, str]) -> dict[str, str]:
        """Returns the image's environment: every template filled from `values` (the
        PLACEHOLDERS), then the extra environment."""
        filled = {name: template.format_map(values) for name, template in self.environment.items()}
        return {**filled, **self.extra_environment}

    def knob_env(self, knobs: Mapping[str, str]) -> dict[str, str]:
        """Returns the image's variables for suite knobs (by knob name); raises
        ConfigError naming a knob this profile gives no variable for."""
        knobs = {k: v for k, v in knobs.items() if k in self.knobs or k not in OPTIONAL_KNOBS}
        missing = [k for k in knobs if k not in self.knobs]
        if missing:
            raise ConfigError(f"{self.source}: the suite needs knob {missing[0]!r} ({KNOBS.get(missing[0], '?')}), "
                              f"and [user_api.knobs] names no variable for it")
        return {self.knobs[k]: spelled(k, v, self.knob_units.get(k)) for k, v in knobs.items()}

    def require_knobs(self) -> "ServiceProfile":
        """Returns the profile; raises ConfigError naming the first knob the suite sets
        that it gives no variable for."""
        self.knob_env({knob: "1" for knob in KNOBS})
        return self

    def create_users_argv(self, count: int) -> list[str]:
        """Returns the declared user-making command for `count` users ([] when none)."""
        return [part.replace("{count}", str(count)) for part in self.create_users]


def _decimal(value: float) -> str:
    """Returns a number in decimal notation, a whole one without a point (10, 0.5)."""
    return str(int(value)) if float(value).is_integer() else f"{value:.6f}".rstrip("0")


def spelled(knob: str, value: Any, unit: str | None = None) -> str:
    """Returns a knob's value as written into the image's environment: counts as whole
    numbers, times in `unit` (default: the knob's own, seconds or milliseconds). A value
    that is not a number (a bad setting, on purpose) is written as it is."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if knob in COUNTS:
        return str(round(number))
    seconds = number / 1000 if knob.endswith("_ms") else number
    unit = unit or ("ms" if knob.endswith("_ms") else "s")
    if unit == "ms" or (unit == "duration" and not float(seconds).is_integer()):
        ms = str(round(seconds * 1000))
        return ms + ("ms" if unit == "duration" else "")
    return _decimal(seconds) + ("s" if unit == "duration" else "")


def _error(source: str, key: str, problem: str) -> ConfigError:
    return ConfigError(f"{source}: {key}: {problem}")


def _port(source: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise _error(source, "user_api.port", f"must be a whole number 1-65535, got {value!r}")
    return value


def _timeout(source: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 600:
        raise _error(source, "user_api.startup_timeout_s", f"must be seconds in (0, 600], got {value!r}")
    return float(value)


def _argv(source: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(p, str) and p for p in value):
        raise _error(source, "user_api.create_users", "must be a command as a list of non-empty strings, "
                     'e.g. ["/app/seed", "{count}"]')
    return tuple(value)


def _variables(source: str, key: str, value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise _error(source, key, "must be a table of NAME = \"value\"")
    for name, text in value.items():
        if not _VARIABLE.match(name):
            raise _error(source, f"{key}.{name}", "is not an environment variable name")
        if not isinstance(text, str):
            raise _error(source, f"{key}.{name}", f"must be a string, got {text!r}")
    return dict(value)


def _templates(source: str, value: Any) -> dict[str, str]:
    templates = _variables(source, "user_api.environment", value)
    for name, template in templates.items():
        try:
            used = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
        except ValueError as exc:
            raise _error(source, f"user_api.environment.{name}", f"bad template: {exc}") from None
        unknown = sorted(used - set(PLACEHOLDERS))
        if unknown:
            raise _error(source, f"user_api.environment.{name}",
                         f"unknown placeholder {{{unknown[0]}}}; known: {', '.join(PLACEHOLDERS)}")
    return templates


def _knob(source: str, knob: str, given: Any) -> tuple[str, str | None]:
    """Returns (variable, unit) of one [user_api.knobs] entry: a variable's name, or a
    table {variable = "...", unit = "s" | "ms" | "duration"} (a time knob's unit)."""
    key = f"user_api.knobs.{knob}"
    if knob not in KNOBS:
        raise _error(source, key, f"unknown knob; known: {', '.join(KNOBS)}")
    table = given if isinstance(given, dict) else {"variable": given}
    unknown = sorted(set(table) - {"variable", "unit"})
    if unknown:
        raise _error(source, f"{key}.{unknown[0]}", "unknown key; known: unit, variable")
    variable, unit = table.get("variable"), table.get("unit")
    if not isinstance(variable, str) or not _VARIABLE.match(variable):
        raise _error(source, key, f"{variable!r} is not an environment variable name")
    if unit is not None and (knob in COUNTS or unit not in UNITS):
        why = "is a count: it has no unit" if knob in COUNTS else f"unit must be one of {', '.join(UNITS)}"
        raise _error(source, f"{key}.unit", f"{unit!r}: {why}")
    return variable, unit


def _knobs(source: str, value: Any) -> dict[str, tuple[str, str | None]]:
    if not isinstance(value, dict):
        raise _error(source, "user_api.knobs", "must be a table of knob = \"VARIABLE\"")
    return {knob: _knob(source, knob, given) for knob, given in value.items()}


def profile_from(data: Mapping[str, Any], source: str) -> ServiceProfile:
    """Returns the profile of a parsed file's contents; raises ConfigError naming the
    first bad key."""
    unknown_top = sorted(set(data) - {"user_api"})
    if unknown_top:
        raise _error(source, unknown_top[0], "unknown table; a profile has [user_api]")
    table = data.get("user_api", {})
    if not isinstance(table, dict):
        raise _error(source, "user_api", "must be a table")
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise _error(source, f"user_api.{unknown[0]}", f"unknown key; known: {', '.join(sorted(_KEYS))}")
    values: dict[str, Any] = {"source": source}
    readers = {"port": _port, "startup_timeout_s": _timeout, "create_users": _argv, "environment": _templates,
               "knobs": _knobs,
               "extra_environment": lambda s, v: _variables(s, "user_api.extra_environment", v)}
    for key, reader in readers.items():
        if key in table:
            values[key] = reader(source, table[key])
    if "knobs" in values:
        read = values.pop("knobs")
        values["knobs"] = {knob: variable for knob, (variable, _) in read.items()}
        values["knob_units"] = {knob: unit for knob, (_, unit) in read.items() if unit}
    return ServiceProfile(**values)


def load_profile(path: Path | None) -> ServiceProfile:
    """Returns the profile in the TOML file `path` (None: the bundled User API's).
    Raises ConfigError for a file that cannot be read or holds a bad value."""
    if path is None:
        return ServiceProfile()
    try:
        data = tomllib.loads(Path(path).read_text())
    except FileNotFoundError:
        raise ConfigError(f"--profile {path}: no such file") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"--profile {path}: {exc}") from None
    return profile_from(data, f"profile {path}")


def with_flags(profile: ServiceProfile, port: int | None = None, env: list[str] | None = None) -> ServiceProfile:
    """Returns `profile` with the command line's --user-api-port and --user-api-env
    KEY=VALUE applied over it; raises ConfigError naming a bad flag."""
    if port is not None:
        profile = replace(profile, port=_port("--user-api-port", port))
    extra = dict(profile.extra_environment)
    for item in env or []:
        name, sep, value = item.partition("=")
        if not sep or not _VARIABLE.match(name):
            raise ConfigError(f"--user-api-env {item!r}: must be NAME=VALUE")
        extra[name] = value
    return replace(profile, extra_environment=extra)
