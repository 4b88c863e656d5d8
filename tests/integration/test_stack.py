"""The stack itself: the load balancer follows readiness, replicas scale, a start-up
failure carries the failing container's logs and leaves nothing behind, and reset
returns the stack to its start."""

import pytest
import requests

from runbook_drill.harness.engine.resources import RUN_ID, leftovers
from runbook_drill.harness.stack import Stack, StackConfig
from tests.support.api import bearer
from runbook_drill.harness.polling import eventually


@pytest.fixture(scope="module")
def stack(session):
    with Stack(session, StackConfig(replicas=2, seed_users=100, with_lb=True, with_prometheus=True)) as running:
        yield running


def _servers_up(stack) -> int:
    stats = requests.get(f"{stack.lb_stats_url()}/stats;csv", timeout=5).text.splitlines()
    return sum(1 for row in stats if row.startswith("user_api,api") and ",UP," in row)


def test_the_load_balancer_routes_only_to_ready_replicas(stack):
    eventually(lambda: _servers_up(stack) == 2, 15, what="both replicas in the pool")
    unready = stack.add_replica({"DATABASE_URL": "postgresql://drill:drill@nowhere:5432/users"}, wait_ready=False)
    try:
        token = bearer(stack.token("lb"))
        statuses = {requests.get(f"{stack.lb_url()}/users/1", headers=token, timeout=5).status_code for _ in range(30)}
        assert statuses == {200}
        assert _servers_up(stack) == 2
    finally:
        stack.remove_replica(unready)


def test_scaling_adds_and_removes_replicas_the_load_balancer_follows(stack):
    stack.scale(3)
    eventually(lambda: _servers_up(stack) == 3, 15, what="three replicas in the pool")
    stack.scale(2)
    eventually(lambda: _servers_up(stack) == 2, 15, what="back to two")


def test_prometheus_scrapes_every_replica_and_the_load_balancer(stack):
    def targets_up():
        answer = requests.get(f"{stack.prometheus_url()}/api/v1/targets", timeout=5).json()
        up = [t["labels"]["job"] for t in answer["data"]["activeTargets"] if t["health"] == "up"]
        return sorted(up) == ["lb"] + ["user-api"] * len(stack.replicas)
    eventually(targets_up, 30, interval=0.5, what="every replica and the load balancer's exporter scraped")


def test_reset_heals_faults_and_restores_baseline(stack):
    stack.add_replica({"LOG_LEVEL": "WARNING"})
    requests.post(f"{stack.toxiproxy_url()}/proxies/postgres", json={"enabled": False}, timeout=5)
    stack.replicas[0].get_wrapped_container().pause()
    stack.reset()
    proxies = requests.get(f"{stack.toxiproxy_url()}/proxies", timeout=5).json()
    assert all(p["enabled"] and not p["toxics"] for p in proxies.values())
    assert len(stack.replicas) == 2 and all(r.drill_baseline for r in stack.replicas)
    assert requests.get(f"{stack.url(0)}/health/ready", timeout=5).status_code == 200


def test_a_start_up_failure_carries_the_logs_and_leaves_nothing(session):
    config = StackConfig(user_api_env={"DB_POOL_MAX": "broken"}, startup_timeout=5)
    before = leftovers(session.client, RUN_ID)  # the module's own stack
    with pytest.raises(Exception) as err:
        with Stack(session, config):
            pass
    notes = "\n".join(getattr(err.value, "__notes__", [])) + str(err.value)
    assert "DB_POOL_MAX='broken'" in notes
    assert leftovers(session.client, RUN_ID) == before
