"""The stack under test, on its own labelled Docker network: PostgreSQL, Redis, the
auth service and the User API (replicas sharing one network alias).

Every container waits on a real readiness condition with a deadline; a start-up
failure removes what was started and carries the failing container's logs. The load
balancer, fault proxy and Prometheus join this stack with the harness issue (#5).
"""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass, field

import requests
from testcontainers.core.wait_strategies import HttpWaitStrategy

from harness.containers import (POSTGRES_DB, POSTGRES_PASSWORD, POSTGRES_USER, generic_container, network,
                                postgres_container, redis_container)
from harness.errors import HarnessError
from harness.session import Session

USER_API_PORT = 8000
AUTH_API_PORT = 8080


@dataclass
class StackConfig:
    """What to start: replica count, extra User API environment, users to seed."""

    replicas: int = 1
    user_api_env: dict[str, str] = field(default_factory=dict)
    seed_users: int = 0
    postgres_settings: dict[str, str] = field(default_factory=dict)  # e.g. {"log_statement": "all"}
    jwt_secret: str = field(default_factory=lambda: secrets.token_hex(24))
    startup_timeout: float = 60.0


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
        self.postgres = self.redis = self.auth_api = None
        self.replicas: list = []

    def __enter__(self) -> "Stack":
        try:
            self._start()
        except BaseException:
            self._exit.close()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self._exit.close()

    def _image(self, name: str) -> str:
        return self.session.images.resolve(name).ref

    def _start(self) -> None:
        self.network = self._exit.enter_context(network())
        postgres = postgres_container(self._image("postgres")).with_network(self.network).with_network_aliases("postgres")
        if self.config.postgres_settings:
            postgres.with_command(["postgres", *(f"-c{k}={v}" for k, v in self.config.postgres_settings.items())])
        self.postgres = self._exit.enter_context(postgres)
        self.redis = self._exit.enter_context(
            redis_container(self._image("redis")).with_network(self.network).with_network_aliases("redis"))
        self.auth_api = self._exit.enter_context(self._auth_api())
        for _ in range(self.config.replicas):
            self.add_replica()
        if self.config.seed_users:
            self.seed(self.config.seed_users)

    def _auth_api(self):
        return (generic_container(self._image("auth-api")).with_network(self.network)
                .with_network_aliases("auth-api").with_env("JWT_SECRET", self.config.jwt_secret)
                .with_exposed_ports(AUTH_API_PORT)
                .waiting_for(_ready_wait(AUTH_API_PORT, "/health", self.config.startup_timeout)))

    def user_api_env(self) -> dict[str, str]:
        """Returns the User API's environment: the stack's wiring plus the config's extras."""
        env = {"DATABASE_URL": f"postgresql://{POSTGRES_USER}:{POSTGRES_PASSWORD}@postgres:5432/{POSTGRES_DB}",
               "REDIS_URL": "redis://redis:6379/0", "AUTH_SERVICE_URL": f"http://auth-api:{AUTH_API_PORT}",
               "JWT_SECRET": self.config.jwt_secret}
        return {**env, **self.config.user_api_env}

    def add_replica(self, env: dict[str, str] | None = None, wait_ready: bool = True):
        """Starts one more User API replica (alias user-api); returns its container."""
        container = (generic_container(self._image("user-api")).with_network(self.network)
                     .with_network_aliases("user-api").with_exposed_ports(USER_API_PORT))
        for key, value in {**self.user_api_env(), **(env or {})}.items():
            container.with_env(key, value)
        if wait_ready:
            container.waiting_for(_ready_wait(USER_API_PORT, "/health/ready", self.config.startup_timeout))
        self._exit.enter_context(container)
        self.replicas.append(container)
        return container

    def url(self, replica: int = 0) -> str:
        """Returns the loopback URL of one User API replica."""
        container = self.replicas[replica]
        return f"http://127.0.0.1:{container.get_exposed_port(USER_API_PORT)}"

    def auth_url(self) -> str:
        return f"http://127.0.0.1:{self.auth_api.get_exposed_port(AUTH_API_PORT)}"

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

    def logs(self, container) -> str:
        """Returns everything `container` wrote to stdout and stderr so far."""
        out, err = container.get_logs()
        return out.decode(errors="replace") + err.decode(errors="replace")
