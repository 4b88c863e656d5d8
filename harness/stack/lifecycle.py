"""The stack under test, on its own labelled Docker network, as drawn in DESIGN.md:

    client -> lb (HAProxy) -> user-api replicas (alias "app")
    user-api -> toxiproxy -> postgres / redis / auth-api
    prometheus scrapes the replicas

`Stack` starts it (a context manager: everything is removed on exit, and a start-up
failure removes what was started, with the failing container's logs), holds its
containers and hands out their addresses. The remediations' operations come from
StackOperations (operations.py). What an attached stack does differently (compose.py)
it does by overriding the public hooks: `provision`, `discard`, `baseline_image`,
`user_api_env`, `auth_image`, `auth_api_container`, `replace_replica`, `redeploy`,
`replace_auth_api`, `restore_containers`."""

from __future__ import annotations

import contextlib
import tempfile
import threading
from pathlib import Path

import requests

from runbook_drill.harness.engine.containers import POSTGRES_DB, POSTGRES_PASSWORD, POSTGRES_USER, network
from runbook_drill.harness.engine.session import Session
from runbook_drill.harness.errors import HarnessError
from runbook_drill.harness.stack import builders
from runbook_drill.harness.stack.handles import logs_of, remove_quietly, together, url
from runbook_drill.harness.stack.operations import StackOperations
from runbook_drill.harness.stack.proxies import ProxyClient, ProxyError
from runbook_drill.harness.stack.topology import (ALERTMANAGER_PORT, AUTH_API_PORT, LB_PORT, LB_STATS_PORT, PROMETHEUS_PORT,
                                    PROXIES, TOXIPROXY_PORT, StackConfig)


class Stack(StackOperations):
    """A started stack; use as a context manager (everything is removed on exit)."""

    def __init__(self, session: Session, config: StackConfig | None = None) -> None:
        self.session = session
        self.config = config or StackConfig()
        self.exit_stack = contextlib.ExitStack()  # what leaving the stack undoes, last first
        self.network = None
        self.postgres = self.redis = self.auth_api = self.toxiproxy = self.lb = self.prometheus = None
        self.alertmanager = self.pager = None
        self.replicas: list = []
        self.user_ids: list[str] = []  # the seeded users' ids, as the API answered them
        self.auth_env: dict[str, str] = {}
        # Logs of replicas removed during a scenario (a rollback, a restart), by
        # "replica-<index>@<container>", so the history still has what they wrote.
        self.removed_logs: dict[str, str] = {}
        self.last_reset: dict = {}  # what the last reset had to do beyond the usual (replicas replaced)
        self.routes: dict = {}  # which request-metric series are the users routes (take_census)

    def __enter__(self) -> "Stack":
        try:
            self.provision()
        except BaseException:
            self.exit_stack.close()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.exit_stack.close()

    def image(self, name: str) -> str:
        """Returns the reference of one of the stack's images (resolved: local, pulled or built)."""
        return self.session.images.resolve(name).ref

    # Start-up ---------------------------------------------------------------------

    def provision(self) -> None:
        """Hook: brings every part up (here: starts them), registering each for removal."""
        self.network = self.exit_stack.enter_context(network())
        self.exit_stack.callback(self._remove_all_replicas)
        self.postgres, self.redis = self._enter_together(
            builders.postgres(self.image("postgres"), self.network, self.config.postgres_settings),
            builders.redis(self.image("redis"), self.network))
        self.replace_auth_api({"JWT_SECRET": self.config.jwt_secret})
        self.toxiproxy = self.exit_stack.enter_context(
            builders.toxiproxy(self.image("toxiproxy"), self.network, self.config.startup_timeout))
        self._create_proxies()
        # Independent of each other: the replicas (one migrates, under an advisory lock)
        # and the monitoring (Prometheus finds the replicas when they come).
        rendered = self._render_alerting() if self.config.with_prometheus else None
        together(lambda start: start(), [self._start_replicas, lambda: self._start_monitoring(rendered)])
        if self.config.seed_users:
            self.seed(self.config.seed_users)
            self.take_census()
        if self.config.with_lb:
            self.lb = self.exit_stack.enter_context(self._load_balancer())

    def _start_replicas(self) -> None:
        together(lambda _: self.add_replica(), range(self.config.replicas))

    def _render_alerting(self) -> Path:
        return builders.render_alerting(self._temporary_dir("drill-alerts-"), self.config.runbook,
                                        self.config.profile.port)

    def _start_monitoring(self, rendered: Path | None) -> None:
        """Prometheus with the runbook's alert rules, Alertmanager and the pager, at once
        (`rendered`: their configuration; None: no monitoring)."""
        if rendered is None:
            return
        timeout = self.config.startup_timeout
        self.pager, self.alertmanager, self.prometheus = self._enter_together(
            builders.pager(self.image("python"), self.network, timeout),
            builders.alertmanager(self.image("alertmanager"), self.network, rendered, timeout),
            builders.prometheus(self.image("prometheus"), self.network, rendered, timeout))

    def _load_balancer(self):
        cfg = builders.render_lb_config(self._temporary_dir("drill-lb-"), self.config.readiness,
                                        self.config.profile.port)
        return builders.load_balancer(self.image("haproxy"), self.network, cfg, self.config.startup_timeout)

    def _temporary_dir(self, prefix: str) -> Path:
        """Returns a directory removed when the stack is left."""
        return Path(self.exit_stack.enter_context(tempfile.TemporaryDirectory(prefix=prefix)))

    def _enter_together(self, *containers) -> list:
        """Starts `containers` at once, each removed at exit from the moment it runs (one
        that fails to start removes itself); returns them, or raises the first error."""
        registering = threading.Lock()

        def enter(container):
            container.__enter__()
            with registering:
                self.exit_stack.push(container)
            return container
        return together(enter, containers)

    def _create_proxies(self) -> None:
        body = [{"name": name, "listen": f"0.0.0.0:{port}", "upstream": upstream}
                for name, (port, upstream) in PROXIES.items()]
        try:
            self.fault_proxy().populate(body)
        except ProxyError as exc:
            raise HarnessError(f"could not create the fault proxies: {exc}") from None

    # The User API's replicas and the auth service ------------------------------------

    def baseline_image(self) -> str:
        """Hook: the User API image the stack runs normally: the candidate, or the bundled one."""
        return self.config.user_api_image or self.image("user-api")

    def user_api_env(self, **placeholders: str) -> dict[str, str]:
        """Hook: the User API's environment as its profile names it - every dependency
        through the fault proxy (`placeholders` replace a value, e.g. a wrong database
        host), the suite's knobs, plus the config's extras. Raises ConfigError for a
        knob the profile has no variable for."""
        profile = self.config.profile
        env = profile.dependency_env({**self.dependency_values(), **placeholders})
        return {**env, **profile.knob_env(self.config.knobs), **self.config.user_api_env}

    def env_with(self, **placeholders: str) -> dict[str, str]:
        """Returns the image's variables that change when `placeholders` replace where
        a dependency is or the secret (e.g. redis_url=..., redis_host=...), as its
        profile names them - the release a fault or a remediation redeploys."""
        current, changed = self.user_api_env(), self.user_api_env(**placeholders)
        return {name: value for name, value in changed.items() if current.get(name) != value}

    def dependency_values(self) -> dict[str, str]:
        """Returns the profile's placeholders: where the replicas find each dependency
        (always the fault proxy) and the shared token secret."""
        pg, cache, auth = PROXIES["postgres"][0], PROXIES["redis"][0], PROXIES["auth"][0]
        return {"database_url": f"postgresql://{POSTGRES_USER}:{POSTGRES_PASSWORD}@toxiproxy:{pg}/{POSTGRES_DB}",
                "postgres_host": "toxiproxy", "postgres_port": str(pg), "postgres_user": POSTGRES_USER,
                "postgres_password": POSTGRES_PASSWORD, "postgres_db": POSTGRES_DB,
                "redis_url": f"redis://toxiproxy:{cache}/0", "redis_host": "toxiproxy", "redis_port": str(cache),
                "auth_url": f"http://toxiproxy:{auth}", "jwt_secret": self.config.jwt_secret}

    def auth_image(self) -> str:
        """Hook: the auth service's image."""
        return self.image("auth-api")

    def auth_api_container(self, env: dict[str, str]):
        """Hook: an unstarted auth service (alias auth-api) with `env`."""
        return builders.auth_api(self.auth_image(), self.network, env, self.config.startup_timeout)

    def replica_container(self, env: dict[str, str] | None = None, image: str | None = None,
                          wait_ready: bool = True, **docker_kwargs):
        """Returns an unstarted User API replica (aliases app and user-api)."""
        return builders.replica(image or self.baseline_image(), self.network, {**self.user_api_env(), **(env or {})},
                                self.config.startup_timeout if wait_ready else None, self.config.profile.port,
                                **docker_kwargs)

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
        self.discard(container)

    def discard(self, container) -> None:
        """Hook: takes a container out of the stack for good (here: removes it)."""
        remove_quietly(container)

    def _keep_logs(self, source: str, container) -> None:
        import docker.errors

        try:
            name = container.get_wrapped_container().name
            self.removed_logs[f"{source}@{name}"] = logs_of(container, timestamps=True)
        except docker.errors.APIError:
            pass

    def replace_replica(self, index: int, env: dict[str, str] | None = None, wait_ready: bool = True,
                        image: str | None = None):
        """Hook: replaces replica `index` with a new container (same index: observers
        follow it) - a pod restart, or a replica of another config; returns the new one."""
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

    # Addresses (loopback and mapped ports only) -----------------------------------------

    def url(self, replica: int = 0) -> str:
        """Returns the loopback URL of one User API replica, by index."""
        return self.replica_url(self.replicas[replica])

    def replica_url(self, container) -> str:
        """Returns the loopback URL of a User API replica container."""
        return url(container, self.config.profile.port)

    def lb_url(self) -> str:
        return url(self.lb, LB_PORT)

    def lb_stats_url(self) -> str:
        return url(self.lb, LB_STATS_PORT)

    def auth_url(self) -> str:
        return url(self.auth_api, AUTH_API_PORT)

    def toxiproxy_url(self) -> str:
        return url(self.toxiproxy, TOXIPROXY_PORT)

    def fault_proxy(self) -> ProxyClient:
        """Returns the client of the stack's fault proxy (Toxiproxy or the bundled proxy)."""
        return ProxyClient("127.0.0.1", int(self.toxiproxy_url().rsplit(":", 1)[1]))

    def prometheus_url(self) -> str:
        return url(self.prometheus, PROMETHEUS_PORT)

    def alertmanager_url(self) -> str:
        return url(self.alertmanager, ALERTMANAGER_PORT)

    def pager_url(self) -> str:
        from runbook_drill.harness.alerts.routing import PAGER_PORT

        return url(self.pager, PAGER_PORT)

    def token(self, sub: str = "drill-user", ttl_seconds: int | None = None) -> str:
        """Returns a fresh token for `sub` from the auth service."""
        body = {"sub": sub} | ({"ttl_seconds": ttl_seconds} if ttl_seconds else {})
        answer = requests.post(f"{self.auth_url()}/login", json=body, timeout=5)
        answer.raise_for_status()
        return answer.json()["access_token"]

    def logs(self, container, since: float | None = None) -> str:
        """Returns what `container` wrote to stdout and stderr (since a Unix time, if given)."""
        return logs_of(container, since)

    def state(self, container) -> dict:
        """Returns the container's Docker state (Status, OOMKilled, RestartCount, ...)."""
        wrapped = container.get_wrapped_container()
        wrapped.reload()
        return {**wrapped.attrs["State"], "RestartCount": wrapped.attrs.get("RestartCount", 0)}
