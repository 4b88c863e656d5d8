"""The fault registry: every kind by name, and bad fault input as a one-line ConfigError."""

import pytest

from runbook_drill.harness.errors import ConfigError
from runbook_drill.harness.faults import REGISTRY, make


def test_every_documented_fault_kind_is_registered():
    assert set(REGISTRY) == {
        "app_frozen", "auth_down", "bad_deployment", "clock_skew", "cpu_throttling", "db_restart",
        "dependency_latency", "dependency_refused", "dependency_reset", "dependency_timeout",
        "jwt_secret_rotation", "memory_pressure", "none", "pool_exhaustion", "redis_down", "redis_flushed",
        "replica_unready", "slow_queries"}


def test_an_unknown_kind_names_the_known_ones():
    with pytest.raises(ConfigError) as err:
        make("earthquake")
    assert str(err.value).startswith("unknown fault kind 'earthquake'; known: app_frozen, auth_down")


def test_an_unknown_parameter_names_the_known_ones():
    with pytest.raises(ConfigError, match="fault dependency_latency: unknown parameter 'latency'; known: dependency"):
        make("dependency_latency", latency=100)


def test_defaults_are_filled_and_overridden():
    fault = make("dependency_latency", dependency="redis", latency_ms=250)
    assert fault.describe() == {"kind": "dependency_latency",
                                "params": {"dependency": "redis", "latency_ms": 250, "jitter_ms": 0,
                                           "stream": "downstream"}}


def test_a_bad_dependency_is_refused_before_anything_is_applied():
    fault = make("dependency_refused", dependency="mysql")
    with pytest.raises(ConfigError, match="dependency must be one of postgres, redis, auth"):
        fault.inject(stack=None)  # never reaches the stack


def test_every_fault_kind_says_what_it_touches_and_who_feels_it_with_its_values_filled_in():
    from runbook_drill.harness.faults.base import REGISTRY

    for kind, cls in REGISTRY.items():
        blast = cls().blast()
        assert blast["touches"] and blast["radius"], kind
        assert "{" not in blast["touches"] + blast["radius"], (kind, blast)
