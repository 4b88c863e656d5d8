"""docker-compose.yml is the harness's stack: the same services, images, environment,
fault-proxy routes and readiness probe - read from the file, compared with the code the
harness starts its own stack from, so neither drifts from the other."""

import json
import re
from pathlib import Path

import pytest
import yaml

from runbook_drill.harness.stack.compose import SERVICES
from runbook_drill.harness.stack import PROXIES, ReadinessProbe
from runbook_drill.harness.engine.compose import IMAGE_VARIABLES
from runbook_drill.harness.engine.containers import POSTGRES_DB, POSTGRES_PASSWORD, POSTGRES_USER
from runbook_drill.harness.engine.images import SPECS
from runbook_drill.harness.stack.profile import ServiceProfile
from runbook_drill.scenarios.common import REPLICA_COUNT, SUITE_KNOBS

ROOT = Path(__file__).resolve().parents[4]  # tests/unit/harness/stack/ -> the checkout


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _default(value: str) -> str:
    """Returns the default of a `${VAR:-default}` value."""
    return re.fullmatch(r"\$\{\w+:-(.*)\}", value).group(1)


def test_the_file_has_every_service_of_the_harness_stack(compose):
    assert set(compose["services"]) == set(SERVICES)
    assert compose["services"]["user-api"]["scale"] == REPLICA_COUNT


def test_every_image_is_the_official_one_by_default_and_named_by_the_variable_drill_writes(compose):
    for variable, name in IMAGE_VARIABLES.items():
        service = {"haproxy": "lb", "python": "pager"}.get(name, name)
        image = compose["services"][service]["image"]
        assert image.startswith(f"${{{variable}:-"), image
        assert _default(image) == (SPECS[name].official or SPECS[name].built_tag)


def test_the_user_api_reaches_every_dependency_through_the_fault_proxy(compose):
    env = compose["services"]["user-api"]["environment"]
    routes = {"DATABASE_URL": "postgres", "REDIS_URL": "redis", "AUTH_SERVICE_URL": "auth"}
    for variable, proxy in routes.items():
        assert f"toxiproxy:{PROXIES[proxy][0]}" in env[variable]
    assert env["DATABASE_URL"].startswith(f"postgresql://{POSTGRES_USER}:{POSTGRES_PASSWORD}@")
    assert env["DATABASE_URL"].endswith(f"/{POSTGRES_DB}")


def test_the_user_api_has_the_suite_s_settings_and_the_auth_service_s_secret(compose):
    services = compose["services"]
    env = services["user-api"]["environment"]
    knob_env = ServiceProfile().knob_env(SUITE_KNOBS)
    assert {key: env[key] for key in knob_env} == knob_env
    assert env["JWT_SECRET"] == services["auth-api"]["environment"]["JWT_SECRET"]
    assert len(_default(env["JWT_SECRET"])) >= 32  # the User API refuses a shorter HS256 key


def test_the_fault_proxy_routes_are_the_harness_s(compose):
    routes = json.loads((ROOT / "compose" / "toxiproxy.json").read_text())
    assert {r["name"]: (int(r["listen"].rsplit(":", 1)[1]), r["upstream"]) for r in routes} == PROXIES


def test_the_load_balancer_probes_readiness_as_the_harness_s_template_renders_it():
    rendered = (ROOT / "compose" / "haproxy.cfg").read_text()
    assert rendered == ReadinessProbe().haproxy_cfg(), (
        "compose/haproxy.cfg drifted from harness/stack/config/haproxy.cfg: render it again with "
        "`python -c 'from harness.stack import ReadinessProbe; print(ReadinessProbe().haproxy_cfg(), end=\"\")'"
        " > compose/haproxy.cfg`")


def test_prometheus_scrapes_the_replicas_as_the_harness_s_template_renders_it_for_the_bundled_port():
    import string

    from runbook_drill.harness.stack.topology import CONFIG_DIR, USER_API_PORT

    template = string.Template((CONFIG_DIR / "prometheus.yml").read_text())
    assert (ROOT / "compose" / "prometheus.yml").read_text() == template.substitute(app_port=USER_API_PORT), \
        "compose/prometheus.yml drifted from harness/stack/config/prometheus.yml: render it again (port 8000)"


def test_the_alert_rules_and_the_routing_are_the_runbook_s_test_profile_as_drill_alerts_renders_them():
    from runbook_drill.harness.alerts import routing, rules
    from runbook_drill.harness.runbook import Runbook

    runbook, profile = Runbook(), rules.PROFILES["test"]
    assert (ROOT / "compose" / "runbook-alerts.yml").read_text() == rules.render(runbook, profile), \
        "compose/runbook-alerts.yml drifted: `drill alerts --profile test --out compose` renders it again"
    assert (ROOT / "compose" / "alertmanager.yml").read_text() == routing.render(runbook, profile), \
        "compose/alertmanager.yml drifted: `drill alerts --profile test --out compose` renders it again"


def test_every_published_port_is_on_loopback(compose):
    for name, service in compose["services"].items():
        for port in service.get("ports", []):
            bind = re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", port)
            assert bind.startswith("127.0.0.1:"), f"{name} publishes {port} beyond loopback"


def test_every_service_says_when_it_is_up(compose):
    for name, service in compose["services"].items():
        labels = service.get("labels", {})
        assert "healthcheck" in service or "org.runbook-drill.ready-path" in labels, name
