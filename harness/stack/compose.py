"""The stack docker-compose keeps up (docker-compose.yml), attached to instead of started.

`ComposeStack` finds the compose project's containers by compose's own labels and hands
the harness the same interface `Stack` does, so every fault and remediation acts on the
compose containers: a restart restarts them, a pause pauses them, limits are squeezed on
them. Where a scenario needs another replica or auth service (a bad deployment, a secret
rotation), the compose container is stopped ("parked") and a labelled drill container
takes its place on the compose network under the same aliases. Leaving - after a pass, a
failure or Ctrl-C - heals the proxies, removes drill's containers, starts the parked ones
and gives back their limits and restart policy, so the project is as `up` left it.

What cannot be given back: Docker cannot lift a memory limit once set, so a container
that compose started without one keeps 8 GiB after a memory scenario (docker-compose.yml
sets the replicas' limit, which is restored exactly). Attaching also replaces the data
(seeded users) and empties Redis, as every scenario starts from the same baseline.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

from runbook_drill.harness.stack.handles import ensure_running, host_port, remove_quietly, together
from runbook_drill.harness.stack.lifecycle import Stack
from runbook_drill.harness.stack.topology import AUTH_API_PORT, PROXIES, StackConfig
from runbook_drill.harness.engine.compose import DEFAULT_PROJECT, NUMBER_LABEL, PROJECT_LABEL, SERVICE_LABEL
from runbook_drill.harness.errors import ConfigError

SERVICES = ("postgres", "redis", "auth-api", "toxiproxy", "user-api", "lb", "prometheus", "alertmanager", "pager")
PROXIED = {"DATABASE_URL": "postgres", "REDIS_URL": "redis", "AUTH_SERVICE_URL": "auth"}


class Attached:
    """A container compose started, seen through what the harness uses of the containers
    it starts itself (Testcontainers' get_wrapped_container and exec)."""

    drill_baseline = True

    def __init__(self, container) -> None:
        self._container = container

    def get_wrapped_container(self):
        return self._container

    def exec(self, command: list[str]):
        """Returns docker's ExecResult (exit_code, output) of `command` in the container."""
        return self._container.exec_run(command)

    def own_env(self) -> dict[str, str]:
        """Returns the environment compose gave the container (its image's left out)."""
        image = self._container.client.images.get(self._container.attrs["Image"])
        image_env = set(image.attrs["Config"]["Env"] or [])
        pairs = [entry.split("=", 1) for entry in self._container.attrs["Config"]["Env"] or []
                 if entry not in image_env]
        return {key: value for key, value in pairs}


class AttachedPostgres(Attached):
    def get_connection_url(self) -> str:
        """Returns postgresql://user:password@127.0.0.1:<port>/db from the container's env."""
        env = self.own_env()
        user, password = env.get("POSTGRES_USER", "postgres"), env.get("POSTGRES_PASSWORD", "")
        return f"postgresql://{user}:{password}@127.0.0.1:{host_port(self, 5432)}/{env.get('POSTGRES_DB', user)}"


class AttachedRedis(Attached):
    def get_client(self, **kwargs):
        """Returns a redis-py client on the container's published port."""
        import redis

        return redis.Redis(host="127.0.0.1", port=host_port(self, 6379), **kwargs)


class _Network:
    """The compose project's network, by name (what Testcontainers' with_network reads)."""

    def __init__(self, name: str) -> None:
        self.name = name


def find_services(client, project: str) -> dict[str, list]:
    """Returns service -> its containers (replicas in compose's order), every state
    included. Raises ConfigError naming what is missing when the project is not up."""
    found: dict[str, list] = {service: [] for service in SERVICES}
    for container in client.containers.list(all=True, filters={"label": f"{PROJECT_LABEL}={project}"}):
        service = container.labels.get(SERVICE_LABEL, "")
        if service in found:
            found[service].append(container)
    if not any(found.values()):
        raise ConfigError(f"--target compose: no compose project {project!r} is up "
                          "(`drill compose up`, or name it with --compose-project)")
    missing = [service for service, containers in found.items() if not containers]
    if missing:
        raise ConfigError(f"--target compose: project {project!r} has no {', '.join(missing)} service "
                          "(is it this repository's docker-compose.yml?)")
    for containers in found.values():
        containers.sort(key=lambda c: int(c.labels.get(NUMBER_LABEL, "0")))
    return found


class ComposeStack(Stack):
    """A compose project, attached; use as a context manager (leaving restores it)."""

    def __init__(self, session, config: StackConfig, project: str = DEFAULT_PROJECT) -> None:
        super().__init__(session, config)
        self.project = project
        self._originals: list[Attached] = []
        self._original_replicas: list[Attached] = []
        self._settings: dict[str, dict] = {}  # container id -> HostConfig as compose set it

    def provision(self) -> None:
        """Attaches to the project's containers (ConfigError naming what does not fit)."""
        found = find_services(self.session.client, self.project)
        self.postgres = AttachedPostgres(found["postgres"][0])
        self.redis = AttachedRedis(found["redis"][0])
        self.auth_api, self.toxiproxy = Attached(found["auth-api"][0]), Attached(found["toxiproxy"][0])
        self.lb, self.prometheus = Attached(found["lb"][0]), Attached(found["prometheus"][0])
        self.alertmanager, self.pager = Attached(found["alertmanager"][0]), Attached(found["pager"][0])
        self.replicas = [Attached(container) for container in found["user-api"]]
        self._original_replicas = list(self.replicas)
        self._original_auth = self.auth_api
        self._originals = [self.postgres, self.redis, self.auth_api, self.toxiproxy, *self.replicas, self.lb,
                           self.prometheus, self.alertmanager, self.pager]
        self._adopt_config()
        self._settings = {c.get_wrapped_container().id: _limits(c) for c in self._originals}
        self.network = _Network(self._network_name())
        self.exit_stack.callback(self._restore)
        self.reset()
        self.take_census()

    def _adopt_config(self) -> None:
        """Takes the secret and replica count from compose; raises ConfigError when the
        project differs from the harness's stack in what the scenarios rely on."""
        self._replica_env = self.replicas[0].own_env()
        self._auth_env = self.auth_api.own_env()
        secret = self._auth_env.get("JWT_SECRET", "")
        self.config = replace(self.config, jwt_secret=secret, replicas=len(self.replicas))
        self.auth_env = {"JWT_SECRET": secret}
        needed = {**self.config.profile.knob_env(self.config.knobs), **self.config.user_api_env}
        problems = [f"user-api {key}={self._replica_env.get(key)!r}, the suite needs {value!r}"
                    for key, value in needed.items() if self._replica_env.get(key) != value]
        problems += [f"user-api {key} does not go through toxiproxy:{PROXIES[name][0]}"
                     for key, name in PROXIED.items() if not _through_proxy(self._replica_env.get(key, ""), name)]
        if self._replica_env.get("JWT_SECRET") != secret:
            problems.append("user-api and auth-api have different JWT_SECRETs")
        probe = next(line.strip() for line in self.config.readiness.haproxy_cfg().splitlines() if "default-server" in line)
        if probe not in self._lb_config():
            problems.append(f"lb's readiness probe is not `{probe}`")
        if problems:
            raise ConfigError(f"--target compose: project {self.project!r} is not the harness's stack: "
                              + "; ".join(problems))

    def _lb_config(self) -> str:
        result = self.lb.exec(["cat", "/usr/local/etc/haproxy/haproxy.cfg"])
        return result.output.decode(errors="replace") if result.exit_code == 0 else ""

    def _network_name(self) -> str:
        networks = self.replicas[0].get_wrapped_container().attrs["NetworkSettings"]["Networks"]
        return next(iter(networks))

    # What differs from a started stack -------------------------------------------------

    def baseline_image(self) -> str:
        """Returns the image compose runs the User API from."""
        return self._original_replicas[0].get_wrapped_container().attrs["Config"]["Image"]

    def user_api_env(self, **placeholders: str) -> dict[str, str]:
        """Returns the environment compose gives a replica (with `placeholders`: the
        profile's variables rendered with them, over it)."""
        if not placeholders:
            return dict(self._replica_env)
        return {**self._replica_env, **self.config.profile.dependency_env({**self.dependency_values(), **placeholders})}

    def auth_image(self) -> str:
        """Returns the image compose runs the auth service from."""
        return self._original_auth.get_wrapped_container().attrs["Config"]["Image"]

    def auth_api_container(self, env: dict[str, str]):
        """Returns an unstarted auth service with compose's environment plus `env`."""
        return super().auth_api_container({**self._auth_env, **env})

    def replace_auth_api(self, env: dict[str, str]) -> None:
        """Starts an auth service with `env` in place of the current one; `env` as compose
        runs it brings compose's own container back."""
        if env != {"JWT_SECRET": self.config.jwt_secret}:
            super().replace_auth_api(env)
            return
        if self.auth_api is not self._original_auth:
            self.discard(self.auth_api)
            self.auth_api = self._original_auth
        ensure_running(self.auth_api)
        self.auth_env = env
        self.wait_ready(self.auth_api, port=AUTH_API_PORT, path="/health")

    def replace_replica(self, index: int, env: dict[str, str] | None = None, wait_ready: bool = True,
                        image: str | None = None):
        """As Stack.replace_replica; a replica as compose runs it (no env, no image) is
        compose's own container of that slot, freshly restarted (a pod restart)."""
        if env is not None or image is not None or index >= len(self._original_replicas):
            return super().replace_replica(index, env, wait_ready, image)
        self._back_in_slot(index)
        self._fresh(self.replicas[index], wait_ready)
        return self.replicas[index]

    def redeploy(self, env: dict[str, str] | None = None, image: str | None = None, wait_ready: bool = True,
                 **docker_kwargs) -> None:
        """As Stack.redeploy; a rollback (no env, image or options) restarts compose's
        own replicas in their slots (drill's are removed)."""
        if env is not None or image is not None or docker_kwargs:
            super().redeploy(env, image, wait_ready, **docker_kwargs)
            return
        for replica in self.replicas[len(self._original_replicas):]:
            self.remove_replica(replica)
        for index in range(len(self._original_replicas)):
            self._back_in_slot(index)
        together(lambda replica: self._fresh(replica, wait_ready), list(self.replicas))

    def _back_in_slot(self, index: int) -> None:
        """Puts compose's replica of slot `index` back in the list (drill's one removed)."""
        original = self._original_replicas[index]
        if index < len(self.replicas) and self.replicas[index] is original:
            return
        if original in self.replicas:  # moved by a removal before it
            self.replicas.remove(original)
        if index < len(self.replicas) and self.replicas[index] not in self._original_replicas:
            self.remove_replica(self.replicas[index])
        self.replicas.insert(min(index, len(self.replicas)), original)

    def _fresh(self, container, wait_ready: bool) -> None:
        """Restarts a compose container with its own limits (a new process, as a new pod)."""
        wrapped = container.get_wrapped_container()
        wrapped.reload()
        if wrapped.status == "paused":
            wrapped.unpause()
        self._give_back_limits(container)
        wrapped.restart(timeout=5)
        if wait_ready:
            self.wait_ready(container)

    def discard(self, container) -> None:
        """Parks (stops) a compose container, to be started again on leaving; removes
        one of drill's."""
        if container in self._originals:
            container.get_wrapped_container().stop(timeout=5)
        else:
            remove_quietly(container)

    def restore_containers(self) -> None:
        """Drill's containers removed, compose's running with their own limits."""
        for replica in [r for r in self.replicas if r not in self._original_replicas]:
            self.remove_replica(replica)
        self.replace_auth_api({"JWT_SECRET": self.config.jwt_secret})
        self.replicas = list(self._original_replicas)
        for container in self._originals:
            self._give_back_limits(container)
            ensure_running(container)

    def _give_back_limits(self, container) -> None:
        original, wrapped = self._settings[container.get_wrapped_container().id], container.get_wrapped_container()
        if _limits(container) == original:
            return
        memory = original["Memory"] or 8 * 1024 ** 3  # none set: Docker cannot lift one, 8 GiB is none in effect
        wrapped.update(mem_limit=memory, memswap_limit=original["MemorySwap"] or memory,
                       cpu_period=original["CpuPeriod"], cpu_quota=original["CpuQuota"] or -1,
                       restart_policy={"Name": original["RestartPolicy"], "MaximumRetryCount": 0})

    def _restore(self) -> None:
        """Leaves the project as compose runs it (called on leaving, whatever happened)."""
        self.restore_containers()
        self.fault_proxy().reset()
        together(self.wait_ready, list(self.replicas))


def _limits(container) -> dict:
    wrapped = container.get_wrapped_container()
    wrapped.reload()
    host = wrapped.attrs["HostConfig"]
    return {"Memory": host.get("Memory") or 0, "MemorySwap": host.get("MemorySwap") or 0,
            "CpuPeriod": host.get("CpuPeriod") or 100_000, "CpuQuota": max(host.get("CpuQuota") or 0, 0),
            "RestartPolicy": (host.get("RestartPolicy") or {}).get("Name") or "no"}


def _through_proxy(url: str, proxy: str) -> bool:
    parts = urlsplit(url)
    return parts.hostname == "toxiproxy" and parts.port == PROXIES[proxy][0]
