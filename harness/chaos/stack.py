"""The stack under test, on its own labelled Docker network, as drawn in DESIGN.md:

    client -> lb (HAProxy) -> user-api replicas (alias "app")
    user-api -> toxiproxy -> postgres / redis / auth-api
    prometheus scrapes the replicas

Every container waits on a real readiness condition with a deadline; a start-up failure
removes what was started and carries the failing container's logs. Every dependency hop
goes through the fault proxy, so network faults need no restart.
"""

from __future__ import annotations

import contextlib
import dataclasses
import concurrent.futures
import secrets
import string
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import requests
from testcontainers.core.wait_strategies import HttpWaitStrategy

from harness.engine.containers import (POSTGRES_DB, POSTGRES_PASSWORD, POSTGRES_USER, generic_container, network,
                                postgres_container, published_port, redis_container)
from harness.errors import HarnessError
from harness.polling import wait_until
from harness.engine.session import Session

USER_API_PORT = 8000
AUTH_API_PORT = 8080
TOXIPROXY_PORT = 8474
LB_PORT, LB_STATS_PORT = 8080, 8404
PROMETHEUS_PORT = 9090
ALERTMANAGER_PORT = 9093
PAGER_SCRIPT = Path(__file__).resolve().parent.parent / "alerts" / "pager.py"
APP_ALIAS = "app"
CONFIG_DIR = Path(__file__).resolve().parent / "config"
# dependency -> (proxy listen port inside the network, upstream)
PROXIES = {"postgres": (15432, "postgres:5432"), "redis": (16379, "redis:6379"),
           "auth": (18080, f"auth-api:{AUTH_API_PORT}")}


@dataclass(frozen=True)
class ReadinessProbe:
    """How the load balancer judges readiness: Kubernetes' readiness probe defaults
    (timeoutSeconds 1, failureThreshold 3, successThreshold 1) with the period shortened
    from 10 s to 0.5 s so scenarios stay short. A replica leaves the pool after three
    failed probes, each allowed 1 s - one slow answer does not take it out."""

    period_s: float = 0.5
    timeout_s: float = 1.0
    failure_threshold: int = 3
    success_threshold: int = 1

    def haproxy_cfg(self) -> str:
        """Returns harness/chaos/config/haproxy.cfg with these values filled in."""
        template = string.Template((CONFIG_DIR / "haproxy.cfg").read_text())
        return template.substitute(period_ms=int(self.period_s * 1000), timeout_ms=int(self.timeout_s * 1000),
                                   failure_threshold=self.failure_threshold,
                                   success_threshold=self.success_threshold)

    def removal_s(self) -> float:
        """Returns the longest time from a replica turning unready to its removal."""
        return self.failure_threshold * max(self.period_s, self.timeout_s) + self.period_s


@dataclass
class StackConfig:
    """What to start: replicas, extra User API environment, users to seed, and which
    parts of the stack (load balancer, Prometheus) to include."""

    replicas: int = 1
    user_api_env: dict[str, str] = field(default_factory=dict)
    seed_users: int = 0
    postgres_settings: dict[str, str] = field(default_factory=dict)  # e.g. {"log_statement": "all"}
    jwt_secret: str = field(default_factory=lambda: secrets.token_hex(24))
    with_lb: bool = False
    with_prometheus: bool = False  # with the runbook's alert rules, Alertmanager and the pager
    startup_timeout: float = 60.0
    readiness: ReadinessProbe = field(default_factory=ReadinessProbe)
    user_api_image: str | None = None  # a candidate image (release validation); None: the bundled one
    runbook: Path | None = None  # whose Quick Response sections the alert rules are (None: the bundled one)


def _ready_wait(port: int, path: str, timeout: float) -> HttpWaitStrategy:
    return (HttpWaitStrategy(port, path).for_status_code(200)
            .with_startup_timeout(int(timeout)).with_poll_interval(0.1))


class Stack:
    """A started stack; use as a context manager (everything is removed on exit)."""

    def __init__(self, session: Session, config: StackConfig | None = None) -> None:
        self.session = session
        self.config = config or StackConfig()
        self._exit = contextlib.ExitStack()
        self.network = None
        self.postgres = self.redis = self.auth_api = self.toxiproxy = self.lb = self.prometheus = None
        self.alertmanager = self.pager = None
        self.replicas: list = []
        self.auth_env: dict[str, str] = {}
        # Logs of replicas removed during a scenario (a rollback, a restart), by
        # "replica-<index>@<container>", so the history still has what they wrote.
        self.removed_logs: dict[str, str] = {}

    def __enter__(self) -> "Stack":
        try:
            self._start()
        except BaseException:
            self._exit.close()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self._exit.close()

    def image(self, name: str) -> str:
        return self.session.images.resolve(name).ref

    def _in_network(self, container, alias: str):
        return container.with_network(self.network).with_network_aliases(alias)

    def _start(self) -> None:
        self.network = self._exit.enter_context(network())
        self._exit.callback(self._remove_all_replicas)
        postgres = self._in_network(postgres_container(self.image("postgres")), "postgres")
        if self.config.postgres_settings:
            postgres.with_command(["postgres", *(f"-c{k}={v}" for k, v in self.config.postgres_settings.items())])
        redis = self._in_network(redis_container(self.image("redis")), "redis")
        self.postgres, self.redis = self._enter_together(postgres, redis)
        self.replace_auth_api({"JWT_SECRET": self.config.jwt_secret})
        self.toxiproxy = self._exit.enter_context(self._toxiproxy())
        self._create_proxies()
        # Independent of each other: the replicas (one migrates, under an advisory lock)
        # and the monitoring (Prometheus finds the replicas when they come).
        rendered = self._render_alerting() if self.config.with_prometheus else None
        _together(lambda start: start(), [self._start_replicas, lambda: self._start_monitoring(rendered)])
        if self.config.seed_users:
            self.seed(self.config.seed_users)
        if self.config.with_lb:
            self.lb = self._exit.enter_context(self._load_balancer())

    def _start_replicas(self) -> None:
        _together(lambda _: self.add_replica(), range(self.config.replicas))

    def _start_monitoring(self, rendered: Path | None) -> None:
        """Prometheus with the runbook's alert rules, Alertmanager and the pager, at once
        (`rendered`: their configuration; None: no monitoring)."""
        if rendered is not None:
            self.pager, self.alertmanager, self.prometheus = self._enter_together(
                self._pager(), self._alertmanager(rendered), self._prometheus(rendered))

    def _enter_together(self, *containers) -> list:
        """Starts `containers` at once, each removed at exit from the moment it runs (one
        that fails to start removes itself); returns them, or raises the first error."""
        registering = threading.Lock()

        def enter(container):
            container.__enter__()
            with registering:
                self._exit.push(container)
            return container
        return _together(enter, containers)

    # Containers -----------------------------------------------------------------

    def auth_api_container(self, env: dict[str, str]):
        """Returns an unstarted auth-api container (alias auth-api) with `env`."""
        container = (self._in_network(generic_container(self.auth_image()), "auth-api")
                     .with_exposed_ports(AUTH_API_PORT)
                     .waiting_for(_ready_wait(AUTH_API_PORT, "/health", self.config.startup_timeout)))
        for key, value in env.items():
            container.with_env(key, value)
        return container

    def auth_image(self) -> str:
        """Returns the auth service's image."""
        return self.image("auth-api")

    def _toxiproxy(self):
        return (self._in_network(generic_container(self.image("toxiproxy")), "toxiproxy")
                .with_command(["-host=0.0.0.0"]).with_exposed_ports(TOXIPROXY_PORT)
                .waiting_for(_ready_wait(TOXIPROXY_PORT, "/version", self.config.startup_timeout)))

    def _create_proxies(self) -> None:
        body = [{"name": name, "listen": f"0.0.0.0:{port}", "upstream": upstream}
                for name, (port, upstream) in PROXIES.items()]
        answer = requests.post(f"{self.toxiproxy_url()}/populate", json=body, timeout=10)
        if answer.status_code != 201:
            raise HarnessError(f"could not create the fault proxies: {answer.status_code} {answer.text[:300]}")

    def _load_balancer(self):
        rendered = self._exit.enter_context(tempfile.TemporaryDirectory(prefix="drill-lb-"))
        cfg = Path(rendered) / "haproxy.cfg"
        cfg.write_text(self.config.readiness.haproxy_cfg())
        cfg.chmod(0o644)
        Path(rendered).chmod(0o755)
        return (self._in_network(generic_container(self.image("haproxy")), "lb")
                .with_volume_mapping(str(cfg), "/usr/local/etc/haproxy/haproxy.cfg", "ro")
                .with_exposed_ports(LB_PORT, LB_STATS_PORT)
                .waiting_for(_ready_wait(LB_PORT, "/health/ready", self.config.startup_timeout)))

    def _render_alerting(self) -> Path:
        """Writes the runbook's alert rules and Alertmanager's routing (test profile:
        windows of seconds) to a directory the containers mount; returns it."""
        from harness.alerts import routing, rules
        from harness.runbook import RUNBOOK, load

        rendered = Path(self._exit.enter_context(tempfile.TemporaryDirectory(prefix="drill-alerts-")))
        runbook, profile = load(self.config.runbook or RUNBOOK), rules.PROFILES["test"]
        (rendered / "runbook-alerts.yml").write_text(rules.render(runbook, profile))
        (rendered / "alertmanager.yml").write_text(routing.render(runbook, profile))
        for path in (rendered, *rendered.iterdir()):
            path.chmod(0o755 if path.is_dir() else 0o644)
        return rendered

    def _prometheus(self, rendered: Path):
        return (self._in_network(generic_container(self.image("prometheus")), "prometheus")
                .with_volume_mapping(str(CONFIG_DIR / "prometheus.yml"), "/etc/prometheus/prometheus.yml", "ro")
                .with_volume_mapping(str(rendered / "runbook-alerts.yml"), "/etc/prometheus/runbook-alerts.yml",
                                     "ro")
                .with_exposed_ports(PROMETHEUS_PORT)
                .waiting_for(_ready_wait(PROMETHEUS_PORT, "/-/ready", self.config.startup_timeout)))

    def _alertmanager(self, rendered: Path):
        return (self._in_network(generic_container(self.image("alertmanager")), "alertmanager")
                .with_volume_mapping(str(rendered / "alertmanager.yml"), "/etc/alertmanager/alertmanager.yml", "ro")
                .with_exposed_ports(ALERTMANAGER_PORT)
                .waiting_for(_ready_wait(ALERTMANAGER_PORT, "/-/ready", self.config.startup_timeout)))

    def _pager(self):
        from harness.alerts.routing import PAGER_PORT

        return (self._in_network(generic_container(self.image("python")), "pager")
                .with_volume_mapping(str(PAGER_SCRIPT), "/pager.py", "ro")
                .with_command(["python", "/pager.py", str(PAGER_PORT)]).with_exposed_ports(PAGER_PORT)
                .waiting_for(_ready_wait(PAGER_PORT, "/health", self.config.startup_timeout)))

    def baseline_image(self) -> str:
        """Returns the User API image the stack runs normally: the candidate, or the bundled one."""
        return self.config.user_api_image or self.image("user-api")

    def user_api_env(self) -> dict[str, str]:
        """Returns the User API's environment: every dependency through the fault proxy,
        plus the config's extras."""
        pg, cache, auth = PROXIES["postgres"][0], PROXIES["redis"][0], PROXIES["auth"][0]
        env = {"DATABASE_URL": f"postgresql://{POSTGRES_USER}:{POSTGRES_PASSWORD}@toxiproxy:{pg}/{POSTGRES_DB}",
               "REDIS_URL": f"redis://toxiproxy:{cache}/0", "AUTH_SERVICE_URL": f"http://toxiproxy:{auth}",
               "JWT_SECRET": self.config.jwt_secret}
        return {**env, **self.config.user_api_env}

    def replica_container(self, env: dict[str, str] | None = None, image: str | None = None,
                          wait_ready: bool = True, **docker_kwargs):
        """Returns an unstarted User API replica (aliases app and user-api)."""
        container = (generic_container(image or self.baseline_image(), **docker_kwargs).with_network(self.network)
                     .with_network_aliases(APP_ALIAS, "user-api").with_exposed_ports(USER_API_PORT))
        for key, value in {**self.user_api_env(), **(env or {})}.items():
            container.with_env(key, value)
        if wait_ready:
            container.waiting_for(_ready_wait(USER_API_PORT, "/health/ready", self.config.startup_timeout))
        return container

    def add_replica(self, env: dict[str, str] | None = None, wait_ready: bool = True, image: str | None = None,
                    **docker_kwargs):
        """Starts one more User API replica; returns its container (removed at exit, or
        by `remove_replica`). A replica that fails to start is removed, with its logs."""
        container = self.replica_container(env, image, wait_ready, **docker_kwargs)
        container.__enter__()
        container.drill_baseline = env is None and image is None and not docker_kwargs
        self.replicas.append(container)
        return container

    def remove_replica(self, container) -> None:
        """Stops and removes one replica (already gone is fine), keeping its logs in
        `removed_logs`."""
        if container in self.replicas:
            index = self.replicas.index(container)
            self.replicas.remove(container)
            self._keep_logs(f"replica-{index}", container)
        self._discard(container)

    def _discard(self, container) -> None:
        """Takes a container out of the stack for good (here: removes it)."""
        _remove_quietly(container)

    def _keep_logs(self, source: str, container) -> None:
        import docker.errors

        try:
            wrapped = container.get_wrapped_container()
            raw = wrapped.logs(stdout=True, stderr=True, timestamps=True)
            self.removed_logs[f"{source}@{wrapped.name}"] = raw.decode(errors="replace")
        except docker.errors.APIError:
            pass

    def replace_replica(self, index: int, env: dict[str, str] | None = None, wait_ready: bool = True,
                        image: str | None = None):
        """Replaces replica `index` with a new container (same index: observers follow
        it) - a pod restart, or a replica of another config; returns the new one."""
        old = self.replicas[index]
        container = self.replica_container(env, image, wait_ready)
        self.remove_replica(old)
        container.__enter__()
        container.drill_baseline = env is None and image is None
        self.replicas.insert(index, container)
        return container

    def _remove_all_replicas(self) -> None:
        for container in list(self.replicas):
            self.remove_replica(container)

    # Accessors ------------------------------------------------------------------

    @staticmethod
    def _url(container, port: int) -> str:
        """Returns http://127.0.0.1:<mapped port> (see `host_port`)."""
        return f"http://127.0.0.1:{host_port(container, port)}"

    def url(self, replica: int = 0) -> str:
        """Returns the loopback URL of one User API replica, by index."""
        return self.replica_url(self.replicas[replica])

    def replica_url(self, container) -> str:
        """Returns the loopback URL of a User API replica container."""
        return self._url(container, USER_API_PORT)

    def lb_url(self) -> str:
        return self._url(self.lb, LB_PORT)

    def lb_stats_url(self) -> str:
        return self._url(self.lb, LB_STATS_PORT)

    def auth_url(self) -> str:
        return self._url(self.auth_api, AUTH_API_PORT)

    def toxiproxy_url(self) -> str:
        return self._url(self.toxiproxy, TOXIPROXY_PORT)

    def toxiproxy_client(self):
        """Returns a toxiproxy-python client for the stack's fault proxy (either image)."""
        from toxiproxy import Toxiproxy

        client = Toxiproxy()
        client.update_api_consumer("127.0.0.1", int(self.toxiproxy_url().rsplit(":", 1)[1]))
        return client

    def prometheus_url(self) -> str:
        return self._url(self.prometheus, PROMETHEUS_PORT)

    def alertmanager_url(self) -> str:
        return self._url(self.alertmanager, ALERTMANAGER_PORT)

    def pager_url(self) -> str:
        from harness.alerts.routing import PAGER_PORT

        return self._url(self.pager, PAGER_PORT)

    def token(self, sub: str = "drill-user", ttl_seconds: int | None = None) -> str:
        """Returns a fresh token for `sub` from the auth service."""
        body = {"sub": sub} | ({"ttl_seconds": ttl_seconds} if ttl_seconds else {})
        answer = requests.post(f"{self.auth_url()}/login", json=body, timeout=5)
        answer.raise_for_status()
        return answer.json()["access_token"]

    def seed(self, users: int) -> str:
        """Seeds `users` users through the first replica's seed command; returns its output."""
        result = self.replicas[0].exec(["python", "-m", "services.user_api", "seed", str(users)])
        if result.exit_code != 0:
            raise HarnessError(f"seeding {users} users failed: {result.output.decode()[-500:]}")
        return result.output.decode()

    def logs(self, container, since: float | None = None) -> str:
        """Returns what `container` wrote to stdout and stderr (since a Unix time, if given)."""
        raw = container.get_wrapped_container().logs(stdout=True, stderr=True,
                                                     since=int(since) if since else None)
        return raw.decode(errors="replace")

    def state(self, container) -> dict:
        """Returns the container's Docker state (Status, OOMKilled, RestartCount, ...)."""
        wrapped = container.get_wrapped_container()
        wrapped.reload()
        return {**wrapped.attrs["State"], "RestartCount": wrapped.attrs.get("RestartCount", 0)}

    # Operations the runbook's remediations need -----------------------------------

    def wait_ready(self, container, timeout: float | None = None, port: int = USER_API_PORT,
                   path: str = "/health/ready") -> None:
        """Waits until `container` answers 200 on `path` (a replica's readiness by
        default); raises HarnessError with its last log lines otherwise."""
        def answers() -> bool:
            return requests.get(f"{self._url(container, port)}{path}", timeout=1).status_code == 200

        if wait_until(answers, timeout or self.config.startup_timeout):
            return
        raise HarnessError(f"{container.get_wrapped_container().name} not ready in time; last logs: "
                           + self.logs(container)[-800:])

    def restart(self, container, wait_ready: bool = True) -> None:
        """Restarts a container (the runbook's "restart pods"); waits for a replica's readiness."""
        container.get_wrapped_container().restart(timeout=10)
        if wait_ready and container in self.replicas:
            self.wait_ready(container)

    def restart_replicas(self) -> None:
        """Restarts every replica at once (`kubectl delete pods -l app=user-api`: the
        deployment's pods restart together) and waits until each is ready."""
        _together(self.restart, list(self.replicas))

    def scale(self, replicas: int) -> None:
        """Adds or removes baseline replicas until there are `replicas` of them (new ones
        start together, as a scaled deployment's pods do)."""
        _together(lambda _: self.add_replica(), range(replicas - len(self.replicas)))
        while len(self.replicas) > replicas:
            self.remove_replica(self.replicas[-1])

    def redeploy(self, env: dict[str, str] | None = None, image: str | None = None, wait_ready: bool = True,
                 **docker_kwargs) -> None:
        """Replaces every replica with one of `image`/`env` (None: the baseline: a rollback)."""
        count = len(self.replicas) or self.config.replicas
        self._remove_all_replicas()
        _together(lambda _: self.add_replica(env, wait_ready=wait_ready, image=image, **docker_kwargs), range(count))

    def use_user_api_image(self, image: str | None, startup_timeout: float | None = None) -> None:
        """Makes `image` the User API the stack runs normally (None: the bundled one; a
        reset keeps it) and redeploys every replica with it, each given `startup_timeout`
        (default: the stack's) to become ready from now on. Raises what a replica that
        never becomes ready raises (a testcontainers TimeoutError, with its logs)."""
        self.config = dataclasses.replace(self.config, user_api_image=image,
                                          startup_timeout=startup_timeout or self.config.startup_timeout)
        self.redeploy()

    def update_limits(self, container, memory: str | None = None, cpus: float | None = None,
                      restart_on_failure: bool = False) -> None:
        """Updates a running container's memory limit (no swap) and CPU quota."""
        changes: dict = {}
        if memory is not None:
            changes.update(mem_limit=memory, memswap_limit=memory)
        if cpus is not None:
            changes.update(cpu_period=100_000, cpu_quota=int(cpus * 100_000) if cpus > 0 else -1)
        if restart_on_failure:
            changes["restart_policy"] = {"Name": "on-failure", "MaximumRetryCount": 10}
        container.get_wrapped_container().update(**changes)

    def replace_auth_api(self, env: dict[str, str]) -> None:
        """Starts the auth service with `env` (alias auth-api), replacing any running one;
        it is removed at exit whichever way it was replaced."""
        if self.auth_api is not None:
            self._discard(self.auth_api)
        self.auth_api = self.auth_api_container(env)
        self.auth_api.__enter__()
        self._exit.callback(_remove_quietly, self.auth_api)
        self.auth_env = env

    def reset(self) -> None:
        """Returns the stack to its start: no toxics, every proxy enabled, dependencies
        running and unpaused, baseline replicas and auth service, fresh data."""
        requests.post(f"{self.toxiproxy_url()}/reset", timeout=10).raise_for_status()
        self._restore_containers()
        self._reset_data()
        _together(self.wait_ready, list(self.replicas))

    def wait_alerts_quiet(self, timeout: float = 30.0) -> list[str]:
        """Waits until no alert is pending or firing - what the last scenario set off
        has resolved, and a scenario's pages are its own; returns the alerts still
        active at the deadline ([] when quiet, or when the stack has no Prometheus)."""
        if self.prometheus is None:
            return []
        active: list[str] = ["(not asked yet)"]

        def quiet() -> bool:
            alerts = requests.get(f"{self.prometheus_url()}/api/v1/alerts", timeout=2).json()["data"]["alerts"]
            active[:] = [a["labels"]["alertname"] for a in alerts]
            return not active

        wait_until(quiet, timeout, interval=0.25)
        return active

    def _restore_containers(self) -> None:
        """Baseline replicas and auth service, running and unpaused, limits lifted."""
        for replica in [r for r in self.replicas if not getattr(r, "drill_baseline", False)]:
            self.remove_replica(replica)
        for container in (self.postgres, self.redis, self.auth_api, *self.replicas):
            _running(container)
        if self.auth_env != {"JWT_SECRET": self.config.jwt_secret}:
            self.replace_auth_api({"JWT_SECRET": self.config.jwt_secret})
        for replica in self.replicas:
            self.update_limits(replica, memory="8g", cpus=0)  # limits back to none in effect
        self.scale(self.config.replicas)

    def _reset_data(self) -> None:
        import psycopg

        with psycopg.connect(self.postgres.get_connection_url(), connect_timeout=5, autocommit=True) as conn:
            conn.execute("TRUNCATE users RESTART IDENTITY CASCADE")
        self.redis.get_client(socket_timeout=5).flushall()
        if self.config.seed_users:
            self.seed(self.config.seed_users)


def host_port(container, port: int) -> int:
    """Returns the loopback port Docker maps to the container's `port`, read at once (no
    wait for "running", so a paused container still has its address). Raises
    HarnessError for a container with no mapped port (stopped)."""
    wrapped = container.get_wrapped_container()
    wrapped.reload()
    found = published_port(wrapped, port)
    if found is None:
        raise HarnessError(f"{wrapped.name} has no host port for {port} (status {wrapped.status})")
    return found


def _together(action, items) -> list:
    """Runs `action(item)` for every item in threads at once; returns the results in
    order, or raises the first error - only once every action has ended, even on
    Ctrl-C, so a container being started is registered before cleanup looks."""
    items = list(items)
    if not items:
        return []
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(items), thread_name_prefix="stack") as pool:
        futures = [pool.submit(action, item) for item in items]
        try:
            concurrent.futures.wait(futures)
        except BaseException:
            concurrent.futures.wait(futures)
            raise
    errors = [f.exception() for f in futures if f.exception() is not None]
    if errors:
        raise errors[0]
    return [f.result() for f in futures]


def _running(container) -> None:
    """Makes sure `container` runs and is not paused."""
    wrapped = container.get_wrapped_container()
    wrapped.reload()
    if wrapped.status == "paused":
        wrapped.unpause()
    elif wrapped.status in ("exited", "created"):
        wrapped.start()


def _remove_quietly(container) -> None:
    import docker.errors

    try:
        container.get_wrapped_container().remove(force=True, v=True)
    except docker.errors.NotFound:
        pass
