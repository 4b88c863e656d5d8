"""The alert rules and the routing come from the runbook: change a threshold, a section
title or the primary on-call there and the rules follow; the metrics they read are the
ones the User API defines."""

from pathlib import Path

import yaml

from runbook_drill.harness.alerts import routing, rules
from runbook_drill.harness.runbook import RUNBOOK, Runbook
from services.user_api.metrics import Metrics


def _edited(tmp_path: Path, old: str, new: str) -> Runbook:
    copy = tmp_path / "runbook.md"
    copy.write_text(RUNBOOK.read_text().replace(old, new))
    return Runbook(copy)


def _alert(text: str, name: str) -> dict:
    groups = yaml.safe_load(text)["groups"]
    return next(r for g in groups for r in g["rules"] if r.get("alert") == name)


def test_every_quick_response_section_has_a_paging_alert_linking_its_section():
    text = rules.render(Runbook(), rules.PROFILES["production"])
    for name, section in (("ServiceDown", "Service is Down (All replicas failing)"),
                          ("HighErrorRate", "High Error Rate (>1%)"), ("HighLatency", "High Latency (p99 >500ms)")):
        alert = _alert(text, name)
        assert alert["labels"] == {"severity": "page", "section": section}
        assert alert["annotations"]["runbook_url"].endswith("#" + rules.anchor(section))


def test_the_thresholds_follow_an_edited_runbook(tmp_path):
    runbook = _edited(tmp_path, "### High Error Rate (>1%)", "### High Error Rate (>2.5%)")
    text = rules.render(runbook, rules.PROFILES["test"])
    assert "> 0.025" in _alert(text, "HighErrorRate")["expr"]
    latency = _edited(tmp_path, "### High Latency (p99 >500ms)", "### High Latency (p99 >250ms)")
    assert "> 0.25" in _alert(rules.render(latency, rules.PROFILES["test"]), "HighLatency")["expr"]


def test_the_profiles_differ_in_windows_and_holds_only():
    production, test = (rules.render(Runbook(), rules.PROFILES[p]) for p in ("production", "test"))
    assert "[5m]" in production and "[5s]" in test and "[5s]" not in production
    assert _alert(production, "HighLatency")["for"] == "10m" and _alert(test, "HighLatency")["for"] == "1s"


def test_service_down_is_judged_by_the_load_balancer_s_pool_not_by_up():
    expr = _alert(rules.render(Runbook(), rules.PROFILES["test"]), "ServiceDown")["expr"]
    assert "job:user_api_ready_replicas:count < 1" in expr and "up{" not in expr
    assert 'haproxy_backend_active_servers{proxy="user_api"}' in rules.recording_rules(rules.PROFILES["test"])[
        "job:user_api_ready_replicas:count"]


def test_every_application_metric_the_rules_read_is_one_the_user_api_defines():
    exposed = {sample.name for family in Metrics().registry.collect() for sample in family.samples}
    exposed |= {f"{family.name}_total" for family in Metrics().registry.collect() if family.type == "counter"}
    exposed |= {f"{family.name}_bucket" for family in Metrics().registry.collect() if family.type == "histogram"}
    used = {name for name in rules.metrics_used(rules.PROFILES["production"]) if not name.startswith("haproxy_")}
    assert used == {"http_requests_total", "http_requests_errors_total", "http_request_duration_seconds_bucket"}
    assert used <= exposed, used - exposed


def test_the_primary_on_call_of_the_escalation_path_receives_every_page(tmp_path):
    config = yaml.safe_load(routing.render(Runbook(), rules.PROFILES["test"]))
    assert config["route"]["receiver"] == "primary-oncall-platform-team"
    assert config["receivers"][0]["webhook_configs"][0]["send_resolved"] is True
    other = _edited(tmp_path, "**Primary On-Call**: Platform Team", "**Primary On-Call**: SRE Core")
    assert routing.receiver_name(other) == "primary-oncall-sre-core"
