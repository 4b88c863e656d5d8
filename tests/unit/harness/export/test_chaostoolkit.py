"""`drill export chaostoolkit`: every scenario becomes an experiment that Chaos Toolkit
accepts (its own validation, in process and through `chaos validate`), with the
runbook's thresholds in the hypothesis, the fault through Toxiproxy's extension for
network faults, rollbacks that heal, and nothing baked in that configuration holds."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from chaoslib.experiment import ensure_experiment_is_valid

from runbook_drill import scenarios
from runbook_drill.harness.errors import ConfigError
from runbook_drill.harness.export import chaostoolkit
from runbook_drill.harness.runbook import RUNBOOK, Runbook

RUNBOOK_ = Runbook(RUNBOOK)
SCENARIOS = {s.id: s for s in scenarios.build(RUNBOOK_)}
DRILL = str(Path(sys.executable).parent / "drill")
ACTIONS = "runbook_drill.ctk_actions"  # what `drill export` names for its own activities


@pytest.mark.parametrize("profile", chaostoolkit.PROFILES)
def test_every_scenario_exports_an_experiment_chaos_toolkit_accepts(profile):
    for scenario in SCENARIOS.values():
        experiment = chaostoolkit.experiment(scenario, RUNBOOK_, profile, actions=ACTIONS)
        ensure_experiment_is_valid(json.loads(json.dumps(experiment)))  # raises on an invalid one


def test_the_hypothesis_holds_the_runbook_codes_and_thresholds():
    probes = chaostoolkit.hypothesis(RUNBOOK_)["probes"]
    assert [p["tolerance"] for p in probes[:2]] == [200, 200]
    assert probes[0]["provider"]["url"] == "${api_url}/health/live"
    queries = [p["provider"]["arguments"]["query"] for p in probes[2:]]
    assert "< bool 0.01" in queries[0] and "http_requests_errors_total" in queries[0]
    assert "< bool 0.5" in queries[1] and "histogram_quantile(0.99" in queries[1]


def test_a_network_fault_is_a_toxiproxy_action_healed_by_a_rollback():
    experiment = chaostoolkit.experiment(SCENARIOS["db-refused"], RUNBOOK_, "local", actions=ACTIONS)
    first = experiment["method"][0]["provider"]
    assert (first["module"], first["func"], first["arguments"]) == \
        ("chaostoxi.proxy.actions", "disable_proxy", {"proxy_name": "postgres"})
    assert experiment["rollbacks"][0]["provider"]["func"] == "enable_proxy"
    names = [a["name"] for a in experiment["method"]]
    assert names[1].startswith("fault healed") and names[2] == "verify the database runs; restart user-api pods"
    assert experiment["method"][-1]["pauses"]["after"] == "${recovery_s}"


def test_a_tolerated_fault_stays_in_place_for_the_hypothesis_after_the_method():
    scenario = SCENARIOS["incident-n-plus-one"]
    experiment = chaostoolkit.experiment(scenario, RUNBOOK_, "local", actions=ACTIONS)
    (toxic,) = experiment["method"]
    assert toxic["provider"]["func"] == "create_toxic"
    assert toxic["provider"]["arguments"]["attributes"]["latency"] == scenario.fault().values["latency_ms"]
    assert experiment["rollbacks"][0]["provider"]["func"] == "delete_toxic"


def _queries(experiment) -> dict[str, str]:
    return {p["name"]: p["provider"].get("arguments", {}).get("query", "")
            for p in experiment["steady-state-hypothesis"]["probes"]}


def test_a_tolerated_faults_hypothesis_is_what_the_scenario_claims_under_it_and_no_more():
    queries = _queries(chaostoolkit.experiment(SCENARIOS["incident-pool-exhaustion"], RUNBOOK_, "local", actions=ACTIONS))
    assert not any("histogram_quantile" in q for q in queries.values())  # its claim is errors, not p99
    assert "GET /health/live answers 200" in queries and not any("/health/ready" in name for name in queries)
    (stays,) = [q for name, q in queries.items() if "db_connection_pool_timeouts_total stays" in name]
    assert "increase(db_connection_pool_timeouts_total[${window}])" in stays and "== bool 0" in stays
    queries = _queries(chaostoolkit.experiment(SCENARIOS["incident-n-plus-one"], RUNBOOK_, "local", actions=ACTIONS))
    (p99,) = [q for q in queries.values() if "histogram_quantile" in q]
    assert '${route_label}="/users",${method_label}="GET"' in p99 and "< bool 0.5" in p99


def test_the_label_names_of_a_selector_come_from_the_configuration_with_the_references_as_defaults():
    configuration = chaostoolkit.experiment(SCENARIOS["incident-n-plus-one"], RUNBOOK_, "local",
                                            actions=ACTIONS)["configuration"]
    assert configuration["route_label"] == {"type": "env", "key": "DRILL_ROUTE_LABEL", "default": "route"}


def test_a_fault_with_symptoms_is_judged_on_the_runbooks_steady_state_after_its_remediation():
    queries = _queries(chaostoolkit.experiment(SCENARIOS["db-refused"], RUNBOOK_, "local", actions=ACTIONS))
    assert {"error rate < 1%", "p99 latency < 500 ms"} <= set(queries)


def test_kubernetes_uses_its_extension_and_the_runbooks_commands():
    scale = chaostoolkit.experiment(SCENARIOS["latency-cpu-throttling"], RUNBOOK_, "kubernetes", actions=ACTIONS)["method"][-1]
    assert scale["provider"]["func"] == "scale_deployment" and scale["provider"]["arguments"]["replicas"] == 5
    rollback = chaostoolkit.experiment(SCENARIOS["down-bad-deployment"], RUNBOOK_, "kubernetes", actions=ACTIONS)["method"][-1]
    assert rollback["provider"]["arguments"] == ["-c", "helm rollback ${deployment} -n ${namespace}"]


def test_a_cpu_quota_becomes_kubernetes_millicores():
    (squeeze,) = chaostoolkit._kubernetes("cpu_throttling", {"cpus": 0.085})[0]
    assert squeeze["provider"]["arguments"][1].endswith("--limits=cpu=85m")


def test_nothing_machine_specific_is_baked_in():
    for profile in chaostoolkit.PROFILES:
        for scenario in SCENARIOS.values():
            text = json.dumps({k: v for k, v in chaostoolkit.experiment(scenario, RUNBOOK_, profile, actions=ACTIONS).items()
                               if k != "configuration"})
            assert "127.0.0.1" not in text and "svc:" not in text, scenario.id


def test_an_unknown_profile_is_one_line():
    with pytest.raises(ConfigError, match="unknown profile 'cloud'; known: local, kubernetes"):
        chaostoolkit.experiment(SCENARIOS["db-refused"], RUNBOOK_, "cloud", actions=ACTIONS)


def test_the_command_writes_one_file_per_scenario_and_chaos_validate_accepts_them(tmp_path):
    done = subprocess.run([DRILL, "export", "chaostoolkit", "db-refused", "down-bad-deployment", "--out",
                           str(tmp_path), "--profile", "kubernetes"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.glob("*.json")) == ["db-refused.json", "down-bad-deployment.json"]
    for path in tmp_path.glob("*.json"):
        check = subprocess.run([str(Path(sys.executable).parent / "chaos"), "--no-log-file", "validate", str(path)],
                               capture_output=True, text=True, timeout=60)
        assert check.returncode == 0 and "look valid" in check.stderr + check.stdout, check.stderr


def test_an_unknown_scenario_is_one_line_and_exit_2(tmp_path):
    done = subprocess.run([DRILL, "export", "chaostoolkit", "nope", "--out", str(tmp_path / "x")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "nope" in done.stderr
    assert not (tmp_path / "x").exists()


def _slow_queries_command() -> str:
    scenario = next(s for s in SCENARIOS.values() if s.fault().kind == "slow_queries")
    experiment = chaostoolkit.experiment(scenario, RUNBOOK_, "kubernetes", actions=ACTIONS)
    (lock,) = [a for a in experiment["method"] if "locked" in a["name"]]
    return lock["provider"]["arguments"][1]


def test_the_kubernetes_slow_queries_lock_every_table_of_the_catalog_and_name_none():
    command = _slow_queries_command()
    assert "pg_class" in command and "LOCK TABLE users" not in command and "-d users" not in command
    assert "-U ${db_user} -d ${db_name}" in command and "$$" not in command  # `$$` is Chaos Toolkit's `$`
