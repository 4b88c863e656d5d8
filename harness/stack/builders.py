"""The stack's containers, each built unstarted in the stack's network under its alias,
with an explicit wait strategy (HTTP readiness with a deadline) - the Testcontainers
way: a builder per service; the lifecycle starts them. Also the configuration files the
load balancer and the monitoring mount, rendered into a directory the caller owns."""

from __future__ import annotations

import string
from pathlib import Path

from testcontainers.core.wait_strategies import HttpWaitStrategy

from runbook_drill.harness.engine.containers import generic_container, postgres_container, redis_container
from runbook_drill.harness.stack.topology import (ALERTMANAGER_PORT, APP_ALIAS, AUTH_API_PORT, CONFIG_DIR, LB_PORT, LB_STATS_PORT,
                                    PROMETHEUS_PORT, READY_PATH, TOXIPROXY_PORT, USER_API_PORT, ReadinessProbe)

PAGER_SCRIPT = Path(__file__).resolve().parent.parent / "alerts" / "pager.py"


def ready_wait(port: int, path: str, timeout: float) -> HttpWaitStrategy:
    """Returns a wait for 200 on `path` at `port`, polled every 0.1 s for `timeout` s."""
    return (HttpWaitStrategy(port, path).for_status_code(200)
            .with_startup_timeout(int(timeout)).with_poll_interval(0.1))


def in_network(container, network, *aliases: str):
    """Returns `container` joined to `network` under `aliases`."""
    return container.with_network(network).with_network_aliases(*aliases)


def with_env(container, env: dict[str, str]):
    """Returns `container` with every variable of `env` set."""
    for key, value in env.items():
        container.with_env(key, value)
    return container


def postgres(image: str, network, settings: dict[str, str]):
    """PostgreSQL (alias postgres), with server settings as `-c` options."""
    container = in_network(postgres_container(image), network, "postgres")
    if settings:
        container.with_command(["postgres", *(f"-c{k}={v}" for k, v in settings.items())])
    return container


def redis(image: str, network):
    """Redis (alias redis)."""
    return in_network(redis_container(image), network, "redis")


def auth_api(image: str, network, env: dict[str, str], timeout: float):
    """The auth service (alias auth-api), ready when /health answers."""
    container = (in_network(generic_container(image), network, "auth-api").with_exposed_ports(AUTH_API_PORT)
                 .waiting_for(ready_wait(AUTH_API_PORT, "/health", timeout)))
    return with_env(container, env)


def toxiproxy(image: str, network, timeout: float):
    """The fault proxy (alias toxiproxy), ready when its API answers /version."""
    return (in_network(generic_container(image), network, "toxiproxy")
            .with_command(["-host=0.0.0.0"]).with_exposed_ports(TOXIPROXY_PORT)
            .waiting_for(ready_wait(TOXIPROXY_PORT, "/version", timeout)))


def replica(image: str, network, env: dict[str, str], timeout: float | None, port: int = USER_API_PORT,
            **docker_kwargs):
    """A User API replica (aliases app and user-api) listening on `port`; ready when
    /health/ready answers 200 (`timeout` None: started without waiting)."""
    container = (in_network(generic_container(image, **docker_kwargs), network, APP_ALIAS, "user-api")
                 .with_exposed_ports(port))
    with_env(container, env)
    if timeout is not None:
        container.waiting_for(ready_wait(port, READY_PATH, timeout))
    return container


def load_balancer(image: str, network, cfg: Path, timeout: float):
    """HAProxy (alias lb) with the rendered `cfg`; ready when it routes /health/ready."""
    return (in_network(generic_container(image), network, "lb")
            .with_volume_mapping(str(cfg), "/usr/local/etc/haproxy/haproxy.cfg", "ro")
            .with_exposed_ports(LB_PORT, LB_STATS_PORT)
            .waiting_for(ready_wait(LB_PORT, READY_PATH, timeout)))


def prometheus(image: str, network, rendered: Path, timeout: float):
    """Prometheus (alias prometheus) with the runbook's alert rules from `rendered`."""
    return (in_network(generic_container(image), network, "prometheus")
            .with_volume_mapping(str(rendered / "prometheus.yml"), "/etc/prometheus/prometheus.yml", "ro")
            .with_volume_mapping(str(rendered / "runbook-alerts.yml"), "/etc/prometheus/runbook-alerts.yml", "ro")
            .with_exposed_ports(PROMETHEUS_PORT)
            .waiting_for(ready_wait(PROMETHEUS_PORT, "/-/ready", timeout)))


def alertmanager(image: str, network, rendered: Path, timeout: float):
    """Alertmanager (alias alertmanager) with the Escalation Path's routing from `rendered`."""
    return (in_network(generic_container(image), network, "alertmanager")
            .with_volume_mapping(str(rendered / "alertmanager.yml"), "/etc/alertmanager/alertmanager.yml", "ro")
            .with_exposed_ports(ALERTMANAGER_PORT)
            .waiting_for(ready_wait(ALERTMANAGER_PORT, "/-/ready", timeout)))


def pager(image: str, network, timeout: float):
    """The primary on-call's pager (alias pager): a webhook sink that keeps every page."""
    from runbook_drill.harness.alerts.routing import PAGER_PORT

    return (in_network(generic_container(image), network, "pager")
            .with_volume_mapping(str(PAGER_SCRIPT), "/pager.py", "ro")
            .with_command(["python", "/pager.py", str(PAGER_PORT)]).with_exposed_ports(PAGER_PORT)
            .waiting_for(ready_wait(PAGER_PORT, "/health", timeout)))


def render_lb_config(directory: Path, readiness: ReadinessProbe, app_port: int = USER_API_PORT) -> Path:
    """Writes haproxy.cfg with `readiness` and the replicas' port filled in, readable by
    the container; returns it."""
    cfg = directory / "haproxy.cfg"
    cfg.write_text(readiness.haproxy_cfg(app_port))
    _readable(directory)
    return cfg


def render_alerting(directory: Path, runbook_path: Path | None, app_port: int = USER_API_PORT) -> Path:
    """Writes Prometheus's configuration (the replicas scraped at `app_port`), the
    runbook's alert rules and Alertmanager's routing (test profile: windows of seconds)
    into `directory`; returns it."""
    from runbook_drill.harness.alerts import routing, rules
    from runbook_drill.harness.runbook import RUNBOOK, load

    runbook, profile = load(runbook_path or RUNBOOK), rules.PROFILES["test"]
    scrape = string.Template((CONFIG_DIR / "prometheus.yml").read_text()).substitute(app_port=app_port)
    (directory / "prometheus.yml").write_text(scrape)
    (directory / "runbook-alerts.yml").write_text(rules.render(runbook, profile))
    (directory / "alertmanager.yml").write_text(routing.render(runbook, profile))
    _readable(directory)
    return directory


def _readable(directory: Path) -> None:
    """Containers run as other users: the directory and its files must be world-readable."""
    for path in (directory, *directory.iterdir()):
        path.chmod(0o755 if path.is_dir() else 0o644)
