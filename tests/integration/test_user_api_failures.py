"""The User API under failing dependencies: each failure the runbook names gives its
documented status, log line and metric, and readiness (never liveness) reports it."""

import json
import threading
import time

import jwt
import psycopg
import pytest
import requests

from runbook_drill.harness.stack import Stack, StackConfig
from tests.support.api import bearer, sample_value, status_within
from runbook_drill.harness.polling import eventually


@pytest.fixture(scope="module")
def stack(session):
    with Stack(session, StackConfig(seed_users=500)) as running:
        yield running


@pytest.fixture(scope="module")
def auth(stack):
    return bearer(stack.token("failure-suite"))


def _log_lines(stack, container, level: str, fragment: str) -> list[dict]:
    lines = []
    for line in stack.logs(container).splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry["level"] == level and fragment in entry["message"]:
                lines.append(entry)
    return lines


@pytest.fixture
def locked_users(stack):
    """Holds an ACCESS EXCLUSIVE lock on users (a slow query for everyone else) until released."""
    conn = psycopg.connect(stack.postgres.get_connection_url(), connect_timeout=5, autocommit=False)
    conn.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
    yield conn
    conn.rollback()
    conn.close()


def test_a_refused_database_at_start_keeps_liveness_fails_readiness_and_logs_connection_refused(stack, auth):
    # redis:5433 is a live host with a closed port: a real TCP refusal.
    replica = stack.add_replica({"DATABASE_URL": "postgresql://drill:drill@redis:5433/users"}, wait_ready=False)
    url = f"http://127.0.0.1:{replica.get_exposed_port(8000)}"
    eventually(lambda: requests.get(f"{url}/health/live", timeout=2).status_code == 200, 30, what="liveness")
    ready = requests.get(f"{url}/health/ready", timeout=5)
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"]["ok"] is False and ready.json()["checks"]["redis"]["ok"] is True
    answer = requests.get(f"{url}/users/1", headers=auth, timeout=5)
    assert (answer.status_code, answer.json()["error"]) == (500, "database error")
    assert eventually(lambda: _log_lines(stack, replica, "ERROR", "connection refused"), 10,
                      what="an ERROR line with 'connection refused'")


def test_a_query_over_the_statement_timeout_is_a_500_with_an_error_line_naming_the_timeout(stack, auth,
                                                                                           locked_users):
    replica = stack.add_replica({"DB_STATEMENT_TIMEOUT_MS": "200"})
    url = f"http://127.0.0.1:{replica.get_exposed_port(8000)}"
    answer = requests.get(f"{url}/users/7", headers=auth, timeout=10)
    assert (answer.status_code, answer.json()["kind"]) == (500, "statement_timeout")
    assert eventually(lambda: _log_lines(stack, replica, "ERROR", "statement_timeout of 200 ms"), 5,
                      what="an ERROR line naming the statement timeout")
    assert sample_value(url, "db_errors_total", kind="statement_timeout") >= 1


def test_an_exhausted_pool_is_an_error_with_its_own_line_and_the_connection_comes_back(stack, auth, locked_users):
    replica = stack.add_replica({"DB_POOL_MAX": "1", "DB_POOL_TIMEOUT_SECONDS": "0.3",
                                 "DB_STATEMENT_TIMEOUT_MS": "20000"})
    url = f"http://127.0.0.1:{replica.get_exposed_port(8000)}"
    stuck = {}
    holder = threading.Thread(target=lambda: stuck.update(answer=requests.get(
        f"{url}/users/8", headers=auth, timeout=30)))
    holder.start()
    eventually(lambda: sample_value(url, "db_connection_pool_active") == 1, 10, what="the only connection busy")
    answer = requests.get(f"{url}/users/9", headers=auth, timeout=10)
    assert (answer.status_code, answer.json()["kind"]) == (500, "pool_exhausted")
    assert _log_lines(stack, replica, "ERROR", "connection pool exhausted")
    assert sample_value(url, "db_connection_pool_timeouts_total") >= 1
    locked_users.rollback()
    holder.join(timeout=30)
    assert stuck["answer"].status_code == 200
    eventually(lambda: sample_value(url, "db_connection_pool_active") == 0, 10, what="the connection returned")


def test_with_the_database_stopped_readiness_is_503_liveness_200_and_it_recovers(stack, auth):
    api = stack.url()
    stack.postgres.get_wrapped_container().stop(timeout=10)
    try:
        assert requests.get(f"{api}/health/live", timeout=5).status_code == 200
        ready = status_within(f"{api}/health/ready", 503, 10)
        assert ready.json()["checks"]["database"]["ok"] is False
        assert requests.get(f"{api}/users/123456", headers=auth, timeout=10).status_code == 500
    finally:
        stack.postgres.get_wrapped_container().start()
    status_within(f"{api}/health/ready", 200, 30)
    eventually(lambda: requests.get(f"{api}/users/11", headers=auth, timeout=5).status_code == 200, 30,
               what="reads served again")


def test_with_redis_stopped_readiness_is_503_reads_degrade_to_the_database_and_it_recovers(stack, auth):
    api = stack.url()
    errors = sample_value(api, "redis_errors_total")
    stack.redis.get_wrapped_container().stop(timeout=10)
    try:
        ready = status_within(f"{api}/health/ready", 503, 10)
        assert ready.json()["checks"]["redis"]["ok"] is False and ready.json()["checks"]["database"]["ok"]
        assert requests.get(f"{api}/health/live", timeout=5).status_code == 200
        assert requests.get(f"{api}/users/12", headers=auth, timeout=10).status_code == 200
        assert sample_value(api, "redis_errors_total") > errors
    finally:
        stack.redis.get_wrapped_container().start()
    status_within(f"{api}/health/ready", 200, 30)


def test_a_token_from_a_rotated_secret_is_401_invalid_token_bad_signature(stack):
    now = int(time.time())
    forged = jwt.encode({"sub": "x", "iss": "authentication-api", "aud": "user-api", "iat": now, "nbf": now,
                         "exp": now + 60}, "rotated-" + stack.config.jwt_secret, algorithm="HS256")
    answer = requests.get(f"{stack.url()}/users/1", headers=bearer(forged), timeout=5)
    assert (answer.status_code, answer.json()["reason"]) == (401, "bad signature")
    assert answer.headers["WWW-Authenticate"].startswith('Bearer error="invalid_token"')
    assert _log_lines(stack, stack.replicas[0], "ERROR", "invalid token: bad signature")
    assert sample_value(stack.url(), "auth_failures_total", reason="bad signature") >= 1


def test_a_revoked_token_is_401_once_its_cached_answer_is_gone(stack):
    token = stack.token("to-revoke")
    requests.post(f"{stack.auth_url()}/revoke", json={"token": token}, timeout=5).raise_for_status()
    answer = requests.get(f"{stack.url()}/users/1", headers=bearer(token), timeout=5)
    assert (answer.status_code, answer.json()["reason"]) == (401, "revoked")


def test_with_the_auth_service_down_new_tokens_are_401_auth_service_unavailable(stack):
    token = stack.token("while-auth-down")
    stack.auth_api.get_wrapped_container().stop(timeout=10)
    try:
        answer = requests.get(f"{stack.url()}/users/1", headers=bearer(token), timeout=10)
        assert (answer.status_code, answer.json()["reason"]) == (401, "auth service unavailable")
        assert _log_lines(stack, stack.replicas[0], "ERROR", "invalid token: auth service unavailable")
    finally:
        stack.auth_api.get_wrapped_container().start()
    eventually(lambda: requests.get(f"{stack.url()}/users/1", headers=bearer(stack.token("after")),
                                    timeout=5).status_code == 200, 30, what="tokens accepted again")


def test_a_client_over_its_rate_limit_gets_429_with_retry_after(stack, auth):
    replica = stack.add_replica({"RATE_LIMIT_REQUESTS": "5", "RATE_LIMIT_WINDOW_SECONDS": "60"})
    url = f"http://127.0.0.1:{replica.get_exposed_port(8000)}"
    token = bearer(stack.token("greedy-client"))
    statuses = [requests.get(f"{url}/users/1", headers=token, timeout=5) for _ in range(8)]
    assert [a.status_code for a in statuses[:5]] == [200] * 5
    limited = statuses[5]
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert _log_lines(stack, replica, "ERROR", "rate limit exceeded")


def test_sigterm_drains_an_in_flight_request_before_the_process_exits(stack, auth, locked_users):
    replica = stack.add_replica({"DB_STATEMENT_TIMEOUT_MS": "20000", "SHUTDOWN_GRACE_SECONDS": "20"})
    url = f"http://127.0.0.1:{replica.get_exposed_port(8000)}"
    result = {}
    inflight = threading.Thread(target=lambda: result.update(answer=requests.get(
        f"{url}/users/13", headers=auth, timeout=30)))
    inflight.start()
    eventually(lambda: sample_value(url, "db_connection_pool_active") == 1, 10, what="request in flight")
    replica.get_wrapped_container().kill(signal="SIGTERM")
    eventually(lambda: _log_lines(stack, replica, "INFO", "Shutting down"), 10, what="shutdown started")
    locked_users.rollback()
    inflight.join(timeout=30)
    assert result["answer"].status_code == 200
    assert replica.get_wrapped_container().wait(timeout=30)["StatusCode"] == 0


def test_a_bad_configuration_stops_the_process_with_one_line_and_exit_2(stack):
    replica = stack.add_replica({"DB_POOL_MAX": "lots"}, wait_ready=False)
    assert replica.get_wrapped_container().wait(timeout=30)["StatusCode"] == 2
    out, err = replica.get_logs()
    assert err.decode() == "user-api: configuration error: DB_POOL_MAX='lots': must be an integer from 1 to 1000\n"
    assert out == b""
