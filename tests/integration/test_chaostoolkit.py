"""Exported experiments run by Chaos Toolkit itself (`chaos run`, its Toxiproxy
extension as the fault proxy's client) against the compose project under load, and
judged as drill judges the same scenario there: on the released build both pass - a
fault with symptoms judged after its remediation (db-refused), faults the service
tolerates judged under the fault on their own claims (errors and pool timeouts; the
p99 of list pages); on a build with the N+1 regression (REGRESSIONS=n_plus_one) drill
fails and the experiment deviates."""

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import requests
from chaoslib import substitute

from runbook_drill import scenarios
from runbook_drill.harness.stack.compose import find_services
from runbook_drill.harness.engine.containers import POSTGRES_USER, postgres_container, published_port
from runbook_drill.harness.export import chaostoolkit
from runbook_drill.harness.polling import eventually, wait_until
from runbook_drill.harness.runbook import RUNBOOK, Runbook
from runbook_drill.scenarios.common import SEED_USERS
from tests.support import compose_project

PROJECT = f"drill-ctk-{os.getpid()}"
CHAOS = str(Path(sys.executable).parent / "chaos")
NETWORK = ["db-refused", "incident-pool-exhaustion", "incident-n-plus-one"]


def _url(client, service: str, port: int) -> str:
    container = find_services(client, PROJECT)[service][0]
    container.reload()
    return f"http://127.0.0.1:{published_port(container, port)}"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return compose_project.copy_project(tmp_path_factory.mktemp("ctk"))


@pytest.fixture(scope="module")
def urls(workdir, session):
    """The project up with the suite's users seeded; yields the URLs the experiments are given."""
    up = compose_project.drill(workdir, PROJECT, "compose", "up")
    try:
        assert up.returncode == 0, up.stderr[-3000:]
        seeded = find_services(session.client, PROJECT)["user-api"][0].exec_run(
            ["python", "-m", "services.user_api", "seed", str(SEED_USERS)])
        assert seeded.exit_code == 0, seeded.output
        yield {"DRILL_API_URL": _url(session.client, "lb", 8080),
               "DRILL_PROMETHEUS_URL": _url(session.client, "prometheus", 9090),
               "DRILL_TOXIPROXY_URL": _url(session.client, "toxiproxy", 8474), "COMPOSE_PROJECT_NAME": PROJECT}
    finally:
        compose_project.drill(workdir, PROJECT, "compose", "down")


def _steady(urls: dict) -> bool:
    """True once Prometheus says the hypothesis's conditions hold (polled for 60 s at most)."""
    queries = [p["provider"]["arguments"]["query"].replace("${window}", "10s")
               for p in chaostoolkit.hypothesis(Runbook(RUNBOOK))["probes"][2:]]

    def holds() -> bool:
        return all(requests.get(f"{urls['DRILL_PROMETHEUS_URL']}/api/v1/query", params={"query": q},
                                timeout=5).json()["data"]["result"][1] == "1" for q in queries)
    return wait_until(holds, 60, interval=1)


def _load_command(url: str, scenario: str) -> list[str]:
    """The scenario's own load (users, rate, users read, mix, timeout), so both engines
    judge the service under the same traffic (1,000 users read instead of 300 miss the
    cache, and the database work doubles)."""
    spec = next(s for s in scenarios.build(Runbook(RUNBOOK)) if s.id == scenario).load
    return [sys.executable, "-m", "runbook_drill.load.runner", "--host", url, "--auth-url", url, "--users", str(spec.users),
            "--rate-per-user", str(spec.rate_per_user), "--relogin-s", str(spec.relogin_s),
            "--user-ids", str(spec.user_ids), "--timeout-s", str(spec.timeout_s), "--mix", spec.mix,
            "--seed", str(spec.seed), "--duration", "300"]


def _chaos_run(workdir: Path, urls: dict, scenario: str) -> dict:
    """Exports the scenario (local profile) and runs it with `chaos run` under the suite's
    load (started for it: drill brings its own); returns the journal."""
    out = workdir / "experiments"
    exported = compose_project.drill(workdir, PROJECT, "export", "chaostoolkit", scenario, "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    journal = workdir / f"{scenario}.journal.json"
    load = subprocess.Popen(_load_command(urls["DRILL_API_URL"], scenario), cwd=compose_project.ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert _steady(urls), "no steady state under the load within 60 s"
        subprocess.run([CHAOS, "--no-log-file", "run", "--journal-path", str(journal), str(out / f"{scenario}.json")],
                       cwd=workdir, env={**os.environ, **urls}, capture_output=True, text=True, timeout=300)
    finally:
        load.terminate()
        load.wait(timeout=30)
    return json.loads(journal.read_text())


def _unmet(states: dict) -> str:
    """Names each probe of the hypotheses that missed its tolerance, with what it read."""
    return "; ".join(f"{when}: {p['activity']['name']} -> {json.dumps(p.get('output'))[-300:]}"
                     for when in ("before", "after") for p in (states.get(when) or {}).get("probes", [])
                     if not p.get("tolerance_met", False)) or json.dumps(states)[:3000]


def _drill_run(workdir: Path, scenario: str) -> str:
    done = compose_project.drill(workdir, PROJECT, "run", "--target", "compose", scenario, timeout=300)
    record = json.loads((workdir / "reports" / "latest" / "journal" / f"{scenario}.json").read_text())
    assert done.returncode in (0, 1), done.stderr[-2000:]
    return record["status"]


@pytest.mark.parametrize("scenario", NETWORK)
def test_chaos_toolkit_agrees_with_drill_on_the_released_build(workdir, urls, scenario):
    journal = _chaos_run(workdir, urls, scenario)
    states = journal["steady_states"]
    assert states["before"]["steady_state_met"] and states["after"]["steady_state_met"], _unmet(states)
    assert (journal["status"], journal["deviated"]) == ("completed", False)
    assert _drill_run(workdir, scenario) == "passed"


def test_chaos_toolkit_deviates_where_drill_fails_on_a_regression_build(workdir, urls):
    regressed = compose_project.drill(workdir, PROJECT, "compose", "up", REGRESSIONS="n_plus_one")
    try:
        assert regressed.returncode == 0, regressed.stderr[-3000:]
        journal = _chaos_run(workdir, urls, "incident-n-plus-one")
        assert journal["deviated"] is True, json.dumps(journal["steady_states"])[:3000]
        assert _drill_run(workdir, "incident-n-plus-one") == "failed"
    finally:
        compose_project.drill(workdir, PROJECT, "compose", "up")  # the released build again


KUBECTL_EXEC = "kubectl -n ${namespace} exec ${db_pod} --"
LOCKED = ("SELECT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
          "WHERE l.mode = 'AccessExclusiveLock' AND c.relkind = 'r' AND l.granted")


def test_the_kubernetes_slow_queries_lock_every_table_of_a_schema_the_suite_never_saw(session):
    """The exported command, substituted by Chaos Toolkit, run by sh against a real
    PostgreSQL (docker exec standing in for kubectl exec), locks tables of any name."""
    scenario = next(s for s in scenarios.build(Runbook(RUNBOOK)) if s.fault().kind == "slow_queries")
    experiment = chaostoolkit.experiment(scenario, Runbook(RUNBOOK), "kubernetes", actions="runbook_drill.ctk_actions")
    (lock,) = [a for a in experiment["method"] if "locked" in a["name"]]
    with postgres_container(session.images.resolve("postgres").ref) as pg:
        with psycopg.connect(pg.get_connection_url(), connect_timeout=5, autocommit=True) as admin:
            admin.execute("CREATE DATABASE team_db")
        team_url = pg.get_connection_url().rsplit("/", 1)[0] + "/team_db"
        with psycopg.connect(team_url, connect_timeout=5, autocommit=True) as conn:
            conn.execute("CREATE TABLE accounts (id int); CREATE SCHEMA audit; CREATE TABLE audit.events (id int)")
            configuration = {"db_user": POSTGRES_USER, "db_name": "team_db", "symptoms_s": 60}
            command = substitute(lock["provider"]["arguments"][1], configuration, {})
            command = command.replace(KUBECTL_EXEC, f"docker exec {pg.get_wrapped_container().id}")
            locker = subprocess.Popen(["sh", "-c", command], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                both = eventually(lambda: {r[0] for r in conn.execute(LOCKED)} == {"accounts", "events"}, 20,
                                  what="both tables locked")
                assert both and locker.poll() is None  # still holding them (pg_sleep of the symptoms)
            finally:
                conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'BEGIN;%'")
                _, stderr = locker.communicate(timeout=30)
    assert "LOCK TABLE" not in stderr and "syntax error" not in stderr, stderr
