"""Typed, validated settings from environment variables for the services.

A bad value is one line naming the variable, its value and what it must be; the
service prints it and exits 2 before serving anything.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable, Mapping


class SettingError(ValueError):
    """One environment variable has a bad or missing value."""


@dataclass(frozen=True)
class Var:
    """One environment variable: its name, parser, default (None: required) and meaning."""

    name: str
    parse: Callable[[str], Any]
    default: str | None
    help: str


def integer(low: int, high: int | None = None) -> Callable[[str], int]:
    rule = f"must be an integer from {low}" + (f" to {high}" if high is not None else " up")

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise ValueError(rule) from None
        if value < low or (high is not None and value > high):
            raise ValueError(rule)
        return value
    return parse


def seconds(low: float = 0.0) -> Callable[[str], float]:
    rule = f"must be a number of seconds above {low:g}"

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise ValueError(rule) from None
        if not value > low:  # also refuses nan
            raise ValueError(rule)
        return value
    return parse


def secret(min_length: int) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if len(text) < min_length:
            raise ValueError(f"must be at least {min_length} characters")
        return text
    return parse


def url(*schemes: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if not any(text.startswith(f"{scheme}://") for scheme in schemes):
            raise ValueError(f"must be a URL starting with {' or '.join(s + '://' for s in schemes)}")
        return text
    return parse


def choice(*options: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in options:
            raise ValueError(f"must be one of {', '.join(options)}")
        return text
    return parse


def read(variables: list[Var], env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Returns {lower-case name: parsed value}; raises SettingError on the first bad one."""
    env = os.environ if env is None else env
    values = {}
    for var in variables:
        raw = env.get(var.name, var.default)
        if raw is None:
            raise SettingError(f"{var.name} is required ({var.help})")
        try:
            values[var.name.lower()] = var.parse(raw)
        except ValueError as exc:
            shown = "***" if "SECRET" in var.name or "PASSWORD" in var.name else repr(raw)
            raise SettingError(f"{var.name}={shown}: {exc}") from None
    return values
