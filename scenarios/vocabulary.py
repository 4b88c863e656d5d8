"""What a declarative scenario can name: the check catalogue (harness.checks, plus the
checks a team registered), the runbook's own helpers (the Oracle's: its steady-state
hypothesis, "served again", a symptom's log line, a page), and the remediations a file
can ask for. Each builder checks its arguments and raises ConfigError naming what is
wrong - before anything starts."""

from __future__ import annotations

import inspect
from typing import Any, Callable

from runbook_drill.harness.checks.catalogue import catalogue, check_factory
from runbook_drill.harness.errors import ConfigError
from runbook_drill.scenarios.common import Oracle

# name -> (oracle, window, **arguments) -> the checks (the runbook's values filled in)
HELPERS: dict[str, Callable[..., list]] = {
    "steady_state": lambda o, window: o.steady(window),
    "recovered": lambda o, window, within_s: o.recovered(within_s, window),
    "error_log": lambda o, window, text: [o.error_log(text, window)],
    "pages": lambda o, window, alert, since=None: o.pages(alert, window, since),
    "quiet": lambda o, window, alerts=(): [o.quiet(*alerts, window=window)],
    "in_service": lambda o, window, most=0.1: [o.in_service(window, most)],
    "connections_returned": lambda o, window: [o.connections_returned()],
}
HELPERS_SAID = {
    "steady_state": "the runbook's steady-state hypothesis: every replica live and ready, the load balancer ready, "
                    "error rate and p99 under the runbook's thresholds",
    "recovered": "served again: the load balancer ready within `within_s`, then the error rate under the threshold",
    "error_log": "the service's logs hold a line at the runbook's error level (`grep ERROR`) containing `text`",
    "pages": "the runbook's `alert` fires and the primary on-call is paged for it, each within its bound",
    "quiet": "none of `alerts` (default: the runbook's) fires in the window",
    "in_service": "guard: the replicas stay in the load balancer (its own 503s under `most` of the answers)",
    "connections_returned": "every database connection taken is back in the pool once recovered",
}


def build_check(name: str, window: str, arguments: dict[str, Any], oracle: Oracle) -> list:
    """Returns the checks `name` makes for `window`; raises ConfigError for an unknown
    name or arguments the check does not take."""
    if name in HELPERS:
        return _called(name, HELPERS[name], (oracle, window), arguments)
    factory = check_factory(name)
    if "window" in arguments:
        raise ConfigError(f"check {name!r}: its window is the table it is in, not an argument")
    return [_called(name, factory, (), {**arguments, "window": window})]


def _called(name: str, function: Callable, leading: tuple, arguments: dict[str, Any]):
    """Returns function(*leading, **arguments); raises ConfigError when they do not bind."""
    signature = inspect.signature(function)
    takes = [p for p in list(signature.parameters)[len(leading):] if p != "window"]
    unknown = sorted(set(arguments) - set(signature.parameters))
    if unknown and not any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values()):
        raise ConfigError(f"check {name!r}: no argument {unknown[0]!r}; it takes: {', '.join(takes) or 'none'}")
    try:
        signature.bind(*leading, **arguments)
    except TypeError as exc:
        raise ConfigError(f"check {name!r}: {exc}; it takes: {', '.join(takes) or 'none'}") from None
    return function(*leading, **arguments)


def known_checks() -> list[str]:
    """Returns every name a file can use as `check`."""
    return sorted({*catalogue(), *HELPERS})


def _restart(stack) -> None:
    stack.restart_replicas()


# action -> (oracle, **arguments) -> (the step, what it is called)
REMEDIATIONS: dict[str, Callable[..., tuple]] = {
    "restart_replicas": lambda o: (_restart, "restart user-api pods"),
    "scale": lambda o, replicas: (lambda stack: stack.scale(int(replicas)), f"scale to {int(replicas)} replicas"),
}


def _cpu_quota(o: Oracle, scaled_to: int | None = None) -> dict[str, Any]:
    """CPU throttling's quota, sized at run time (harness.run.calibration.quota_for): a
    backlog over the p99 threshold that `scaled_to` replicas (default: the runbook's
    scale-out) could relieve; with the rest window it needs and the fault windows opened
    once the backlog has built, as the built-in latency-cpu-throttling has them."""
    from runbook_drill.harness.run.backlog import backlog_built
    from runbook_drill.harness.run.calibration import quota_for

    replicas = int(scaled_to if scaled_to is not None else o.rb.value("latency.scale_replicas"))
    return {"calibrate": quota_for(o.p99_ms, replicas), "rest_s": 3.0, "settled_when": backlog_built(o.p99_ms),
            "settle_max_s": 10.0}


# name -> (oracle, **arguments) -> the Scenario fields a run-time calibration needs
CALIBRATIONS: dict[str, Callable[..., dict]] = {"cpu_quota": _cpu_quota}
CALIBRATIONS_SAID = {"cpu_quota": "CPU throttling's quota from what the replicas burn: a backlog over the p99 "
                                  "threshold that `scaled_to` replicas (default: the runbook's scale-out) relieve"}


def build_calibration(name: str, arguments: dict[str, Any], oracle: Oracle) -> dict[str, Any]:
    """Returns the Scenario fields of a calibration by name; raises ConfigError for an
    unknown one or arguments it does not take."""
    return _named("calibration", CALIBRATIONS, name, arguments, oracle)


def _named(what: str, table: dict[str, Callable], name: str, arguments: dict[str, Any], oracle: Oracle):
    """Returns table[name](oracle, **arguments); raises ConfigError for an unknown name
    or arguments it does not take."""
    if name not in table:
        raise ConfigError(f"unknown {what} {name!r}; known: {', '.join(sorted(table))}")
    try:
        inspect.signature(table[name]).bind(oracle, **arguments)
    except TypeError as exc:
        raise ConfigError(f"{what} {name!r}: {exc}") from None
    return table[name](oracle, **arguments)


def build_remediation(action: str, arguments: dict[str, Any], oracle: Oracle) -> tuple:
    """Returns (step, name) of a remediation; raises ConfigError for an unknown action
    or arguments it does not take."""
    return _named("remediation", REMEDIATIONS, action, arguments, oracle)
