"""Every fault kind on the real stack: inject (and verify), observe the effect, heal,
observe the recovery. One stack for the module, reset between tests."""

import concurrent.futures
import time

import pytest
import requests

from harness.chaos.faults import make
from tests.support.api import bearer, sample_value, status_within
from harness.polling import eventually
from tests.support.stacks import module_stack, reset_before_each_test


stack = module_stack(replicas=1, seed_users=300, with_lb=True)
fresh = reset_before_each_test()


def _get(stack, path, token=None, timeout=10):
    headers = bearer(token or stack.token("faults"))
    return requests.get(f"{stack.url()}{path}", headers=headers, timeout=timeout)


def _applied(stack, fault):
    try:
        evidence = fault.inject(stack)
    except Exception:
        fault.heal(stack)
        raise
    assert evidence, "a fault must return the evidence that it took effect"
    return evidence


@pytest.mark.parametrize("dependency, check", [("postgres", "database"), ("redis", "redis")])
def test_a_refused_dependency_fails_readiness_naming_it_and_heals(stack, dependency, check):
    fault = make("dependency_refused", dependency=dependency)
    assert _applied(stack, fault)["proxy"]["enabled"] is False
    ready = status_within(f"{stack.url()}/health/ready", 503, 10)
    assert ready.json()["checks"][check]["ok"] is False
    assert requests.get(f"{stack.url()}/health/live", timeout=5).status_code == 200
    fault.heal(stack)
    fault.heal(stack)  # idempotent
    status_within(f"{stack.url()}/health/ready", 200, 15)


def test_database_latency_slows_uncached_reads_by_its_delay(stack):
    fault = make("dependency_latency", dependency="postgres", latency_ms=300)
    _applied(stack, fault)
    started = time.perf_counter()
    assert _get(stack, "/users/101").status_code == 200
    assert time.perf_counter() - started >= 0.3
    fault.heal(stack)
    started = time.perf_counter()
    assert _get(stack, "/users/102").status_code == 200
    assert time.perf_counter() - started < 0.3


def test_blocked_database_traffic_fails_readiness_and_recovers(stack):
    fault = make("dependency_timeout", dependency="postgres", timeout_ms=0)
    _applied(stack, fault)
    status_within(f"{stack.url()}/health/ready", 503, 10)
    fault.heal(stack)
    status_within(f"{stack.url()}/health/ready", 200, 20)


def test_reset_database_connections_fail_uncached_reads_and_recover(stack):
    fault = make("dependency_reset", dependency="postgres", timeout_ms=0)
    _applied(stack, fault)
    token = stack.token("reset")
    eventually(lambda: _get(stack, "/users/103", token).status_code == 500, 10, what="a 500 on a reset connection")
    fault.heal(stack)
    eventually(lambda: _get(stack, "/users/104", token).status_code == 200, 20, what="reads again")


def test_a_database_restart_breaks_then_restores_service(stack):
    fault = make("db_restart")
    evidence = _applied(stack, fault)
    assert evidence["started_after"] != evidence["started_before"]
    status_within(f"{stack.url()}/health/ready", 200, 30)
    token = stack.token("restart")
    eventually(lambda: _get(stack, "/users/105", token).status_code == 200, 20, what="reads after the restart")


def test_slow_queries_hit_the_statement_timeout_until_the_lock_is_released(stack):
    fault = make("slow_queries")
    assert _applied(stack, fault)["locks"]
    answer = _get(stack, "/users/106")
    assert (answer.status_code, answer.json()["kind"]) == (500, "statement_timeout")
    fault.heal(stack)
    assert _get(stack, "/users/106").status_code == 200


def test_an_exhausted_pool_answers_pool_exhausted_and_heals_back_to_baseline(stack):
    fault = make("pool_exhaustion", db_pool_max=2, pool_timeout_s=0.3)
    _applied(stack, fault)
    token = stack.token("pool")
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda i: _get(stack, f"/users/{110 + i}", token, timeout=40), range(6)))
        kinds = {a.json().get("kind") for a in answers if a.status_code == 500}
        fault.heal(stack)
    assert "pool_exhausted" in kinds
    assert all(getattr(r, "drill_baseline", False) for r in stack.replicas)
    assert _get(stack, "/users/120").status_code == 200


def test_redis_down_fails_readiness_and_comes_back(stack):
    fault = make("redis_down")
    assert _applied(stack, fault)["status"] != "running"
    status_within(f"{stack.url()}/health/ready", 503, 10)
    fault.heal(stack)
    status_within(f"{stack.url()}/health/ready", 200, 20)


def test_a_flushed_cache_turns_reads_into_misses(stack):
    token = stack.token("flush")
    _get(stack, "/users/130", token)
    assert _get(stack, "/users/130", token).status_code == 200  # now cached
    fault = make("redis_flushed")
    assert _applied(stack, fault)["keys_after_flush"] <= 50
    misses = sample_value(stack.url(), "redis_misses_total")
    _get(stack, "/users/130", token)
    assert sample_value(stack.url(), "redis_misses_total") == misses + 1


def test_with_the_auth_service_down_new_tokens_are_refused_and_heal_restores_it(stack):
    fresh_token = stack.token("before-auth-down")
    fault = make("auth_down")
    _applied(stack, fault)
    answer = _get(stack, "/users/1", fresh_token)
    assert (answer.status_code, answer.json()["reason"]) == (401, "auth service unavailable")
    fault.heal(stack)
    assert _get(stack, "/users/1").status_code == 200


@pytest.mark.parametrize("kind, reason", [("jwt_secret_rotation", "bad signature"), ("clock_skew", "not yet valid")])
def test_auth_faults_make_new_tokens_invalid_with_their_reason_and_heal(stack, kind, reason):
    fault = make(kind)
    _applied(stack, fault)
    answer = _get(stack, "/users/1")
    assert (answer.status_code, answer.json()["reason"]) == (401, reason)
    fault.heal(stack)
    assert _get(stack, "/users/1").status_code == 200


def _throttled_periods(container) -> int:
    out = container.exec(["cat", "/sys/fs/cgroup/cpu/cpu.stat"]).output.decode()
    return int(dict(line.split() for line in out.splitlines())["nr_throttled"])


def test_cpu_throttling_sets_the_quota_and_the_kernel_throttles(stack):
    fault = make("cpu_throttling", cpus=0.05)
    assert _applied(stack, fault)["cpu_quota_us"] == [5000]
    before = _throttled_periods(stack.replicas[0])
    token = stack.token("cpu")
    for i in range(40):
        _get(stack, f"/users?limit=100&after={i}", token, timeout=30)
    assert _throttled_periods(stack.replicas[0]) > before
    fault.heal(stack)
    wrapped = stack.replicas[0].get_wrapped_container()
    wrapped.reload()
    assert wrapped.attrs["HostConfig"]["CpuQuota"] in (0, -1)


def test_a_frozen_replica_answers_nothing_until_unpaused(stack):
    fault = make("app_frozen")
    assert _applied(stack, fault)["paused"] is True
    with pytest.raises(requests.RequestException):
        requests.get(f"{stack.url()}/health/live", timeout=1)
    status_within(f"{stack.lb_url()}/health/ready", 503, 10)  # the only replica left the pool
    fault.heal(stack)
    status_within(f"{stack.url()}/health/live", 200, 10)


def test_an_unready_release_empties_the_load_balancer_and_a_rollback_restores_it(stack):
    fault = make("bad_deployment", mode="unready")
    _applied(stack, fault)
    status_within(f"{stack.lb_url()}/health/ready", 503, 15)
    fault.heal(stack)  # the rollback
    status_within(f"{stack.lb_url()}/health/ready", 200, 15)


def test_a_crashing_release_restarts_in_a_loop_until_rolled_back(stack):
    fault = make("bad_deployment", mode="crash")
    _applied(stack, fault)
    replica = stack.replicas[0]
    eventually(lambda: stack.state(replica)["RestartCount"] >= 1, 20, what="the crashing release restarted")
    assert "user-api: configuration error: DB_POOL_MAX='not-a-number'" in stack.logs(replica)
    fault.heal(stack)
    status_within(f"{stack.url()}/health/ready", 200, 15)


def test_memory_pressure_with_unpaginated_result_sets_gets_oomkilled_and_restarted(stack):
    stack.redeploy({"REGRESSIONS": "unpaginated"})
    stack.seed(20_000)  # every "page" is now 20,000 users with their roles
    fault = make("memory_pressure", headroom_mb=16)
    assert _applied(stack, fault)["memory_limits"]
    replica, token = stack.replicas[0], stack.token("memory")

    def burst():
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda i: _quiet_get(stack, "/users", token), range(16)))
        state = stack.state(replica)
        return state["OOMKilled"] or state["RestartCount"] >= 1

    eventually(burst, 60, interval=0.5, what="an OOM kill under unpaginated reads")
    fault.heal(stack)


def _quiet_get(stack, path, token):
    try:
        return _get(stack, path, token, timeout=20).status_code
    except requests.RequestException:
        return None
