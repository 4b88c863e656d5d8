"""The check catalogue by name: every check family's factories (what `from
runbook_drill.harness import checks as c` gives) and the ones a team registers - so a
declarative scenario names a check, and the reference lists what can be named."""

from __future__ import annotations

import inspect
from typing import Callable

from runbook_drill.harness.errors import ConfigError

_ADDED: dict[str, Callable] = {}


def _built_in() -> dict[str, Callable]:
    from runbook_drill.harness import checks

    return {name: function for name, function in vars(checks).items()
            if inspect.isfunction(function) and not name.startswith("_")
            and function.__module__.startswith(checks.__name__) and function.__module__ != __name__}


def catalogue() -> dict[str, Callable]:
    """Returns every check factory by name, the built-in ones and those registered."""
    return {**_built_in(), **_ADDED}


def register_check(factory: Callable | None = None, *, name: str | None = None):
    """Registers a check factory (a function returning a Check) under `name` (default:
    its own name); usable as a decorator, with or without arguments. Returns the factory.
    Raises ConfigError when the name is a built-in check's or another factory's."""
    def add(function: Callable) -> Callable:
        key = name or function.__name__
        known = catalogue().get(key)
        if known is not None and known is not function and _origin(known) != _origin(function):
            raise ConfigError(f"check {key!r} is already in the catalogue ({_origin(known)})")
        _ADDED[key] = function
        return function
    return add(factory) if factory is not None else add


def check_factory(name: str) -> Callable:
    """Returns the factory registered as `name`; raises ConfigError naming the catalogue."""
    found = catalogue().get(name)
    if found is None:
        raise ConfigError(f"unknown check {name!r}; see docs/reference/checks.md")
    return found


def _origin(function: Callable) -> str:
    """Returns where a factory was defined (module and name): a file loaded again
    registers the same origin, which is no clash."""
    return f"{function.__module__}.{function.__qualname__}"
