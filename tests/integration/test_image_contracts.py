"""Each resolved image keeps the official image's contract, whichever source it came
from (local, pulled or built offline), so Testcontainers' modules and the stack's
configuration work unchanged."""

import psycopg
import redis
import pytest
import requests
from testcontainers.core.wait_strategies import LogMessageWaitStrategy

from runbook_drill.harness.engine.containers import generic_container, postgres_container, redis_container
from runbook_drill.harness.engine.images import SPECS, ImageResolver
from runbook_drill.harness.polling import eventually


def _http_status(container, port: int, path: str) -> int:
    url = f"http://127.0.0.1:{container.get_exposed_port(port)}{path}"
    return requests.get(url, timeout=2).status_code


def test_postgres_runs_init_scripts_and_creates_the_named_database(session, tmp_path):
    (tmp_path / "01-schema.sql").write_text("CREATE TABLE seeded (id int); INSERT INTO seeded VALUES (42);\n")
    tmp_path.chmod(0o755)  # the entrypoint reads it as the postgres user
    pg = postgres_container(session.images.resolve("postgres").ref)
    pg.with_volume_mapping(str(tmp_path), "/docker-entrypoint-initdb.d", "ro")
    with pg:
        with psycopg.connect(pg.get_connection_url(), connect_timeout=5) as conn:
            assert conn.execute("SELECT current_database(), current_user").fetchone() == ("users", "drill")
            assert conn.execute("SELECT id FROM seeded").fetchone() == (42,)


def test_postgres_without_a_password_refuses_to_start_with_a_clear_line(session):
    container = generic_container(session.images.resolve("postgres").ref).with_env("POSTGRES_USER", "x")
    container.start()
    try:
        exit_code = container.get_wrapped_container().wait(timeout=60)["StatusCode"]
        logs = b"".join(container.get_logs()).decode()
    finally:
        container.stop()
    assert exit_code != 0
    assert "POSTGRES_PASSWORD" in logs


def test_redis_accepts_clients_from_outside_and_honours_a_password(session):
    with redis_container(session.images.resolve("redis").ref, password="s3cret") as cache:
        assert cache.get_client(socket_timeout=5).ping() is True
        with pytest.raises(redis.exceptions.AuthenticationError):
            redis.Redis(host="127.0.0.1", port=cache.get_exposed_port(6379), password="wrong",
                        socket_timeout=5).ping()


def test_haproxy_serves_its_mounted_configuration_in_the_foreground(session):
    lb = (generic_container(session.images.resolve("haproxy").ref).with_exposed_ports(8080)
          .waiting_for(LogMessageWaitStrategy("").with_startup_timeout(30)))
    with lb:
        assert eventually(lambda: _http_status(lb, 8080, "/") == 503, 20, what="haproxy answers 503")
        assert lb.exec(["haproxy", "-c", "-f", "/usr/local/etc/haproxy/haproxy.cfg"]).exit_code == 0


def test_prometheus_starts_with_its_default_arguments_and_becomes_ready(session):
    with generic_container(session.images.resolve("prometheus").ref).with_exposed_ports(9090) as prom:
        eventually(lambda: _http_status(prom, 9090, "/-/ready") == 200, 30, what="prometheus ready")


def test_python_has_venv_and_pip_for_installing_a_wheelhouse(session):
    with generic_container(session.images.resolve("python").ref).with_command("sleep 120") as py:
        result = py.exec(["sh", "-c", "python -m venv /tmp/v && /tmp/v/bin/python -m pip --version"])
    assert result.exit_code == 0, result.output
    assert b"python 3.11" in result.output


def test_deleting_one_built_image_rebuilds_only_that_one(session):
    before = {row.name: row for row in ImageResolver(session.client, session.images.settings).resolve_all()}
    if before["redis"].source != "built offline":
        pytest.skip("redis comes from a registry here; offline rebuilds do not apply")
    session.client.images.remove(SPECS["redis"].built_tag, force=True)
    rows = {row.name: row for row in ImageResolver(session.client, session.images.settings).resolve_all()}
    rebuilt = sorted(name for name, row in rows.items() if row.seconds > 0)
    assert rebuilt == ["redis"]
    assert rows["redis"].source == "built offline"
    assert rows["redis"].detail == before["redis"].detail  # same context, same hash
