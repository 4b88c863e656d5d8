"""What the stack is made of, as data: the ports and network aliases of its parts, the
fault-proxy hops, the load balancer's readiness probe and what a run asks for
(StackConfig). Nothing here starts a container."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field
from pathlib import Path

from runbook_drill.harness.stack.profile import ServiceProfile

USER_API_PORT = 8000  # the bundled User API's; a profile may name another
AUTH_API_PORT = 8080
TOXIPROXY_PORT = 8474
LB_PORT, LB_STATS_PORT = 8080, 8404
PROMETHEUS_PORT = 9090
ALERTMANAGER_PORT = 9093
LIVE_PATH, READY_PATH = "/health/live", "/health/ready"  # the probes; the load balancer checks READY_PATH
APP_ALIAS = "app"  # every replica's alias: the load balancer finds them through Docker's DNS
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

    def haproxy_cfg(self, app_port: int = USER_API_PORT) -> str:
        """Returns harness/stack/config/haproxy.cfg with these values filled in, the
        replicas found at `app_port`."""
        template = string.Template((CONFIG_DIR / "haproxy.cfg").read_text())
        return template.substitute(period_ms=int(self.period_s * 1000), timeout_ms=int(self.timeout_s * 1000),
                                   app_port=app_port,
                                   failure_threshold=self.failure_threshold,
                                   success_threshold=self.success_threshold)

    def removal_s(self, timing_out: bool = False) -> float:
        """Returns the longest time from a replica turning unready to its removal. A check
        that fails fast comes round every period; one that times out takes its timeout and
        the load balancer starts the next a period after it ended (measured: 1.5 s a
        check), so replicas whose checks are `timing_out` take longer to leave."""
        cycle = self.timeout_s + self.period_s if timing_out else max(self.period_s, self.timeout_s)
        return self.failure_threshold * cycle + self.period_s


@dataclass
class StackConfig:
    """What to start: replicas, the suite's knobs (by name: the profile says which
    variable of the image each is), extra User API environment (the image's own
    variables), users to seed, and which parts of the stack (load balancer, Prometheus)
    to include."""

    replicas: int = 1
    knobs: dict[str, str] = field(default_factory=dict)
    user_api_env: dict[str, str] = field(default_factory=dict)
    seed_users: int = 0
    postgres_settings: dict[str, str] = field(default_factory=dict)  # e.g. {"log_statement": "all"}
    jwt_secret: str = field(default_factory=lambda: secrets.token_hex(24))
    with_lb: bool = False
    with_prometheus: bool = False  # with the runbook's alert rules, Alertmanager and the pager
    startup_timeout: float = 60.0
    readiness: ReadinessProbe = field(default_factory=ReadinessProbe)
    user_api_image: str | None = None  # a candidate image (release validation); None: the bundled one
    profile: ServiceProfile = field(default_factory=ServiceProfile)  # how that image is driven
    runbook: Path | None = None  # whose Quick Response sections the alert rules are (None: the bundled one)
