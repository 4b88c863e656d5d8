"""The runbook scenarios as Chaos Toolkit experiments (`drill export chaostoolkit`).

One experiment per scenario, in Chaos Toolkit's terms:
- steady-state hypothesis: liveness and readiness answer the runbook's code, and
  Prometheus says the error rate and p99 are under the runbook's thresholds over the
  last `${window}` (shorter than the pauses, so the hypothesis after the method sees
  only the recovery, or only the fault; the traffic must be there - the team's own, or
  a load they start: no traffic is no steady state);
- method: the fault - network faults as Toxiproxy actions (chaostoolkit-toxiproxy, in
  both profiles: the dependencies are reached through Toxiproxy), container faults as
  drill's own faults on the compose project (local: python activities of
  drill/ctk_actions.py, through drill's compose attachment) or chaostoolkit-kubernetes actions
  and kubectl/helm commands (kubernetes) - then a pause for the symptoms (`${symptoms_s}`),
  then the runbook's remediation and a pause for the recovery (`${recovery_s}`);
- rollbacks: the fault healed.

A scenario that claims the service *tolerates* the fault (its checks during the fault
are all "stays under the threshold": the incidents' regressions) keeps the fault in
place through the hypothesis after the method, and its hypothesis is the service alive
and those claims - Chaos Toolkit then judges the service under the fault, as drill
does; a scenario whose fault shows symptoms heals and remediates inside the method, and
the hypothesis after it judges the recovery.

Every value the experiment needs (URLs, namespace, project, proxy names) is
configuration read from the environment with a default, never baked in."""

from __future__ import annotations

import re

from typing import Any

from runbook_drill.harness.alerts.rules import APP
from runbook_drill.harness.checks import Check
from runbook_drill.harness.run.scenario import Scenario
from runbook_drill.harness.errors import ConfigError
from runbook_drill.harness.faults.slow_queries import SERVICE_TABLES
from runbook_drill.harness.runbook import Runbook

PROFILES = ("local", "kubernetes")
TOXIC = "runbook-drill"  # the name of the toxic an experiment adds (and removes)
NETWORK_KINDS = {"dependency_refused", "dependency_latency", "dependency_timeout", "dependency_reset"}
TOXIC_TYPES = {"dependency_latency": "latency", "dependency_timeout": "timeout", "dependency_reset": "reset_peer"}


def _env(key: str, default: str, kind: str | None = None) -> dict[str, str]:
    return {"type": "env", "key": key, "default": default, **({"env_var_type": kind} if kind else {})}


# The label names the team's metrics carry (the contract leaves them open).
LABELS = {"route_label": _env("DRILL_ROUTE_LABEL", "route"), "method_label": _env("DRILL_METHOD_LABEL", "method"),
          "status_label": _env("DRILL_STATUS_LABEL", "status")}

CONFIGURATION = {
    "local": {
        "api_url": _env("DRILL_API_URL", "http://127.0.0.1:8080"),
        "prometheus_base_url": _env("DRILL_PROMETHEUS_URL", "http://127.0.0.1:9090"),
        "toxiproxy_url": _env("DRILL_TOXIPROXY_URL", "http://127.0.0.1:8474"),
        "compose_project": _env("COMPOSE_PROJECT_NAME", "runbook-drill"),
        "window": _env("DRILL_WINDOW", "10s"),
        "symptoms_s": _env("DRILL_SYMPTOMS_S", "10", "int"),
        "recovery_s": _env("DRILL_RECOVERY_S", "20", "int"),
        **LABELS,
    },
    "kubernetes": {
        "api_url": _env("DRILL_API_URL", "http://user-api.production.svc:8080"),
        "prometheus_base_url": _env("DRILL_PROMETHEUS_URL", "http://prometheus.monitoring.svc:9090"),
        "toxiproxy_url": _env("DRILL_TOXIPROXY_URL", "http://toxiproxy.production.svc:8474"),
        "namespace": _env("DRILL_NAMESPACE", "production"),
        "deployment": _env("DRILL_DEPLOYMENT", "user-api"),
        "label_selector": _env("DRILL_LABEL_SELECTOR", "app=user-api"),
        "redis_deployment": _env("DRILL_REDIS_DEPLOYMENT", "redis"),
        "auth_deployment": _env("DRILL_AUTH_DEPLOYMENT", "authentication-api"),
        "db_label_selector": _env("DRILL_DB_LABEL_SELECTOR", "app=user-db"),
        "db_pod": _env("DRILL_DB_POD", "user-db-0"),
        "db_name": _env("DRILL_DB_NAME", "users"),
        "db_user": _env("DRILL_DB_USER", "postgres"),
        "bad_image": _env("DRILL_BAD_IMAGE", "registry.invalid/user-api:broken"),
        "window": _env("DRILL_WINDOW", "5m"),
        "symptoms_s": _env("DRILL_SYMPTOMS_S", "360", "int"),
        "recovery_s": _env("DRILL_RECOVERY_S", "600", "int"),
        **LABELS,
    },
}


def _http(name: str, url: str, status: int) -> dict[str, Any]:
    return {"type": "probe", "name": name, "tolerance": status,
            "provider": {"type": "http", "url": url, "timeout": 5}}


def _condition(name: str, comparison: str) -> dict[str, Any]:
    """A Prometheus comparison (`... < bool X`) as a probe: its value must be 1."""
    return {"type": "probe", "name": name,
            "tolerance": {"type": "jsonpath", "path": "$.data.result[1]", "expect": "1", "target": "body"},
            "provider": {"type": "http", "url": "${prometheus_base_url}/api/v1/query", "method": "GET",
                         "arguments": {"query": f"scalar({comparison})"}, "timeout": 5}}


def _selector(endpoint: str | None = None, method: str | None = None, statuses=()) -> str:
    """Returns the label selector of the users' requests, narrowed to a route, a method
    and status codes when a claim names them - by the label names the experiment's
    configuration gives (the team's metrics may say `path` or `code`)."""
    if endpoint is None and method is None and not statuses:
        return APP
    labels = [f'${{route_label}}="{endpoint}"' if endpoint else APP.strip("{}")]
    labels += [f'${{method_label}}="{method}"'] if method else []
    labels += [f'${{status_label}}=~"{"|".join(str(s) for s in statuses)}"'] if statuses else []
    return "{" + ",".join(labels) + "}"


def _error_rate_below(ratio: float, endpoint=None, method=None, statuses=()) -> str:
    # `or vector(0)`: replicas that have not failed yet export no error series (a labelled
    # counter before its first event) - no errors, not no answer.
    errors = _selector(endpoint, method, statuses)
    return (f"(sum(rate(http_requests_errors_total{errors}[${{window}}])) or vector(0)) / "
            f"sum(rate(http_requests_total{_selector(endpoint, method)}[${{window}}])) < bool {ratio:g}")


def _latency_below(ms: float, q: float = 0.99, endpoint=None, method=None) -> str:
    return (f"histogram_quantile({q:g}, sum by (le) (rate(http_request_duration_seconds_bucket"
            f"{_selector(endpoint, method)}[${{window}}]))) < bool {ms / 1000:g}")


def _metric_stays(name: str, labels: dict[str, str]) -> str:
    """A counter that does not move (no increase) or a gauge that does not change."""
    selector = "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}" if labels else ""
    moved = "increase" if name.endswith("_total") else "changes"
    return f"(sum({moved}({name}{selector}[${{window}}])) or vector(0)) == bool 0"


def _probes(runbook: Runbook, kinds=("live", "ready")) -> list[dict[str, Any]]:
    return [_http(f"GET {runbook.value(k + '.endpoint')} answers {runbook.value(k + '.expected')}",
                  "${api_url}" + runbook.value(k + ".endpoint"), runbook.value(k + ".expected"))
            for k in kinds]


def hypothesis(runbook: Runbook) -> dict[str, Any]:
    """Returns the steady state the runbook defines, as Chaos Toolkit probes."""
    ratio, p99_ms = runbook.value("threshold.error_rate"), runbook.value("threshold.p99_ms")
    return {"title": "The User API serves within the runbook's thresholds", "probes": [
        *_probes(runbook), _condition(f"error rate < {ratio:.0%}", _error_rate_below(ratio)),
        _condition(f"p99 latency < {p99_ms:g} ms", _latency_below(p99_ms))]}


def _tolerance(check: Check) -> str | None:
    """Returns the PromQL comparison of a "stays within bounds" claim; None for any other."""
    claim = check.claim
    if claim.get("kind") == "error_rate" and claim.get("below") is not None:
        return _error_rate_below(claim["below"], claim["endpoint"], claim["method"], claim["statuses"])
    if claim.get("kind") == "latency" and claim.get("below_ms") is not None:
        return _latency_below(claim["below_ms"], claim["q"], claim["endpoint"], claim["method"])
    if claim.get("kind") == "metric" and claim.get("change") == "stays":
        return _metric_stays(claim["name"], claim["labels"])
    return None


def _tolerated(scenario: Scenario) -> bool:
    """True when the scenario claims the service stays within bounds under the fault
    (every check during it is an error rate or latency under a bound, or a metric that
    stays): Chaos Toolkit then judges it under the fault, on those claims."""
    return bool(scenario.during) and all(_tolerance(check) for check in scenario.during)


def tolerance_hypothesis(scenario: Scenario, runbook: Runbook) -> dict[str, Any]:
    """Returns the steady state of a scenario whose service tolerates its fault: alive,
    and what the scenario claims holds under the fault - no more. A pool of the right
    size keeps errors away, not every request under the p99 threshold; nor does it keep
    readiness at 200 (its database check may time out behind a slow database while the
    load balancer still has replicas to send the traffic to)."""
    return {"title": f"The User API tolerates the fault: {'; '.join(c.description for c in scenario.during)}",
            "probes": [*_probes(runbook, ("live",)),
                       *(_condition(c.description, _tolerance(c)) for c in scenario.during)]}


# Faults and remediations -------------------------------------------------------------

def _python(module: str, func: str, **arguments) -> dict[str, Any]:
    return {"type": "python", "module": module, "func": func, "arguments": arguments}


def _sh(command: str) -> dict[str, Any]:
    """A shell command (kubectl, helm, docker): validated as a process, run as written."""
    return {"type": "process", "path": "sh", "arguments": ["-c", command]}


def _act(name: str, provider: dict[str, Any], **extra) -> dict[str, Any]:
    return {"type": "action", "name": name, "provider": provider, **extra}


def _network(kind: str, values: dict[str, Any]) -> tuple[list, list]:
    """Returns (actions, rollbacks) of a network fault through Toxiproxy."""
    proxy = values["dependency"]
    if kind == "dependency_refused":
        return ([_act(f"{proxy} refused (its proxy disabled)", _python("chaostoxi.proxy.actions", "disable_proxy",
                                                                       proxy_name=proxy))],
                [_act(f"{proxy} allowed again", _python("chaostoxi.proxy.actions", "enable_proxy", proxy_name=proxy))])
    attributes = {"latency": {"latency": values.get("latency_ms", 0), "jitter": values.get("jitter_ms", 0)},
                  "timeout": {"timeout": values.get("timeout_ms", 0)},
                  "reset_peer": {"timeout": values.get("timeout_ms", 0)}}[TOXIC_TYPES[kind]]
    toxic = _python("chaostoxi.toxic.actions", "create_toxic", for_proxy=proxy, toxic_name=TOXIC,
                    toxic_type=TOXIC_TYPES[kind], stream=values.get("stream", "downstream"), attributes=attributes)
    return ([_act(f"{proxy}: {TOXIC_TYPES[kind]} toxic {attributes}", toxic)],
            [_act(f"{proxy}: toxic removed", _python("chaostoxi.toxic.actions", "delete_toxic", for_proxy=proxy,
                                                       toxic_name=TOXIC))])


def _local(scenario: Scenario, kind: str, actions: str) -> tuple[list, list]:
    """Returns (actions, rollbacks) of a container fault on the compose project: drill's
    own fault, applied through its compose attachment (the module `actions`)."""
    return ([_act(f"inject {kind}", _python(actions, "inject", scenario_id=scenario.id))],
            [_act(f"heal {kind}", _python(actions, "heal", scenario_id=scenario.id))])


KUBECTL = "kubectl -n ${namespace}"
# Every table of the service's schema locked, as drill's own fault does: the team's
# schema is theirs (no table name of the reference). A DO block in a plain literal, not
# dollar quotes: `$` is Chaos Toolkit's substitution and the shell's expansion.
LOCK_SERVICE_TABLES = ("DO 'DECLARE t text; BEGIN FOR t IN " + SERVICE_TABLES.replace("'", "''") +
                       " LOOP EXECUTE ''LOCK TABLE '' || t || '' IN ACCESS EXCLUSIVE MODE''; END LOOP; END';")
UNDO = f"{KUBECTL} rollout undo deployment/${{deployment}} && {KUBECTL} rollout status deployment/${{deployment}}"


def _scaled_to_zero(what: str, deployment: str) -> tuple[list, list]:
    """A deployment scaled to 0 by Chaos Toolkit's action, and back to 1 as its rollback."""
    def scale(replicas: int) -> dict[str, Any]:
        return _act(f"{what} scaled to {replicas}", _python("chaosk8s.deployment.actions", "scale_deployment",
                                                            name=deployment, replicas=replicas, ns="${namespace}"))
    return [scale(0)], [scale(1)]


def _changed(name: str, deployment: str, change: str) -> tuple[list, list]:
    """A kubectl change of a deployment's spec (a rollout), undone by `rollout undo`."""
    if deployment == "${deployment}":  # the User API: the rollback waits until it is out
        rollback = _act("rollout undone", _sh(UNDO))
    else:
        rollback = _act("auth service rollout undone", _sh(f"{KUBECTL} rollout undo deployment/{deployment}"))
    return [_act(name, _sh(f"{KUBECTL} {change}"))], [rollback]


def _kubernetes(kind: str, values: dict[str, Any]) -> tuple[list, list]:
    """Returns (actions, rollbacks) of a container fault in a cluster: Chaos Toolkit's
    Kubernetes actions where they exist, kubectl where they do not."""
    ns = {"ns": "${namespace}"}
    app, auth = "${deployment}", "${auth_deployment}"
    table = {
        "redis_down": _scaled_to_zero("Redis", "${redis_deployment}"),
        "auth_down": _scaled_to_zero("auth service", auth),
        "db_restart": ([_act("database pod deleted (restarted)", _python(
            "chaosk8s.pod.actions", "terminate_pods", label_selector="${db_label_selector}", **ns))], []),
        "app_frozen": ([_act("one replica frozen (SIGSTOP)", _python(
            "chaosk8s.pod.actions", "exec_in_pods", cmd="kill -STOP 1", label_selector="${label_selector}",
            qty=1, **ns))], []),
        "replica_unready": _changed("a rollout whose new pod cannot reach Redis (stalls unready)", app,
                                    f"set env deployment/{app} REDIS_URL=redis://unreachable.invalid:1/0"),
        "bad_deployment": _changed("a bad release deployed", app,
                                   f"set image deployment/{app} user-api=${{bad_image}}"),
        "cpu_throttling": _changed("CPU limit squeezed", app, f"set resources deployment/{app} "
                                   f"--limits=cpu={round(values.get('cpus', 0.1) * 1000)}m"),
        "memory_pressure": _changed("memory limit below the working set", app,
                                    f"set resources deployment/{app} --limits=memory=64Mi"),
        "jwt_secret_rotation": _changed("JWT secret rotated in the auth service only", auth,
                                        f"set env deployment/{auth} "
                                        "JWT_SECRET=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \\n')"),
        "clock_skew": _changed("auth service clock an hour ahead (libfaketime)", auth,
                               f"set env deployment/{auth} FAKETIME=+{int(values.get('offset_s', 3600))}s "
                               "LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"),
        "slow_queries": ([_act("every service table locked for the symptoms", _sh(
            f"{KUBECTL} exec ${{db_pod}} -- psql -v ON_ERROR_STOP=1 -U ${{db_user}} -d ${{db_name}} -c "
            f"\"BEGIN; {LOCK_SERVICE_TABLES} SELECT pg_sleep(${{symptoms_s}}); COMMIT;\""), background=True)], []),
        "pool_exhaustion": _changed("pool of 2 and queries held", app,
                                    f"set env deployment/{app} DB_POOL_MAX=2 DB_POOL_TIMEOUT_SECONDS=1"),
        "redis_flushed": ([_act("Redis flushed (cache cold)", _sh(
            f"{KUBECTL} exec deployment/${{redis_deployment}} -- redis-cli FLUSHALL"))], []),
    }
    if kind not in table:
        raise ConfigError(f"no Kubernetes form of the fault {kind!r}")
    return table[kind]


def _fault(scenario: Scenario, profile: str, actions: str) -> tuple[list, list]:
    fault = scenario.fault()
    if fault.kind == "none":
        return [], []
    if fault.kind in NETWORK_KINDS:
        return _network(fault.kind, fault.values)
    return _local(scenario, fault.kind, actions) if profile == "local" else _kubernetes(fault.kind, fault.values)


RESTART_PODS = "verify the database runs; restart user-api pods"


def _remediation(scenario: Scenario, profile: str, actions: str) -> list:
    """Returns the runbook's remediation of the scenario as actions ([] when its fix is
    the fault healed)."""
    name = scenario.remediation_name
    if not scenario.remediation:
        return []
    if profile == "local":
        if name == RESTART_PODS:  # a plain Docker command: no drill needed
            return [_act(name, _sh("docker restart $(docker ps -q --filter label=com.docker.compose.project="
                                   "${compose_project} --filter label=com.docker.compose.service=user-api)"))]
        return [_act(name, _python(actions, "remediate", scenario_id=scenario.id))]
    return [_act(name, provider) for provider in _kubernetes_remediation(scenario)]


def _kubernetes_remediation(scenario: Scenario) -> list:
    name, ns = scenario.remediation_name, {"ns": "${namespace}"}
    restart = _python("chaosk8s.deployment.actions", "rollout_deployment", name="${deployment}", **ns)
    if name.startswith("helm rollback"):
        return [_sh(name.replace("user-api", "${deployment}", 1).replace("-n production", "-n ${namespace}"))]
    if name.startswith("scale to "):
        return [_python("chaosk8s.deployment.actions", "scale_deployment", name="${deployment}",
                        replicas=int(name.split()[2]), **ns)]
    if name == "Restart pod":
        return [_python("chaosk8s.pod.actions", "terminate_pods", label_selector="${label_selector}", qty=1, **ns)]
    if name == "Increase memory limits":
        return [_sh(f"{KUBECTL} set resources deployment/${{deployment}} --limits=memory=1Gi")]
    if name.startswith("database refused and allowed"):  # the refusals; the locks need drill's own actions
        times = int(re.search(r"allowed (\d+) times", name).group(1))
        flap = [_python("chaostoxi.proxy.actions", f, proxy_name="postgres") for f in ("disable_proxy", "enable_proxy")]
        return flap * times
    return [restart]  # restart the pods: after a fixed cause, a secret updated, a pool to refresh


def _pause(configuration_key: str) -> dict[str, Any]:
    return {"after": "${" + configuration_key + "}"}


def experiment(scenario: Scenario, runbook: Runbook, profile: str, actions: str = "",
               sources: dict[str, Any] | None = None) -> dict[str, Any]:
    """Returns the Chaos Toolkit experiment of one scenario. `actions` is the module
    whose inject/remediate/heal `chaos run` calls for drill's own faults (the local
    profile's container faults): named by the caller, which sits above the harness;
    `sources` (the runbook copy, a team's scenario paths) go into the configuration,
    so those activities build the same scenario. Raises ConfigError for an unknown
    profile, or a local one with no `actions`."""
    if profile not in PROFILES:
        raise ConfigError(f"unknown profile {profile!r}; known: {', '.join(PROFILES)}")
    if profile == "local" and not actions:
        raise ConfigError("the local profile needs the module of drill's own activities")
    module = actions
    actions, rollbacks = _fault(scenario, profile, module)
    method = [*actions]
    if method:
        method[-1] = {**method[-1], "pauses": _pause("symptoms_s")}
    tolerated = _tolerated(scenario)
    if not tolerated:
        remediation = _remediation(scenario, profile, module)
        # drill's own remediation (local) heals first itself when the runbook fixes the cause first.
        heals_itself = any(a["provider"].get("module") == module for a in remediation)
        if scenario.heal_first and not heals_itself:
            method += [{**r, "name": f"fault healed: {r['name']}"} for r in rollbacks]
        method += remediation
        if len(method) > len(actions):  # the hypothesis after it judges the recovery only
            method[-1] = {**method[-1], "pauses": _pause("recovery_s")}
    if not method:
        method = [{"type": "probe", "name": "the service as it runs", "pauses": _pause("symptoms_s"),
                   "provider": {"type": "http", "url": "${api_url}" + runbook.value("ready.endpoint"), "timeout": 5}}]
    return {
        "version": "1.0.0", "title": scenario.title,
        "description": f"Runbook section '{scenario.runbook}'. Proves: {'; '.join(scenario.proves)}. "
                       f"Exported by runbook-drill from scenario {scenario.id} ({profile} profile).",
        "tags": ["runbook-drill", scenario.id, scenario.runbook],
        "configuration": {**CONFIGURATION[profile], **(sources or {})},
        "steady-state-hypothesis": tolerance_hypothesis(scenario, runbook) if tolerated else hypothesis(runbook),
        "method": method,
        "rollbacks": rollbacks,
    }
