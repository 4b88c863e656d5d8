"""The load balancer judges readiness as Kubernetes does: the values live in one place
(ReadinessProbe) and are what HAProxy's configuration gets."""

from runbook_drill.harness.stack import ReadinessProbe


def test_the_rendered_check_has_kubernetes_timeout_and_thresholds_with_a_short_period():
    cfg = ReadinessProbe().haproxy_cfg()
    assert "timeout check 1000ms" in cfg
    assert "check inter 500ms fall 3 rise 1" in cfg
    assert "${" not in cfg and "$period" not in cfg


def test_one_slow_answer_does_not_remove_a_replica_three_failed_probes_do():
    probe = ReadinessProbe()
    assert probe.failure_threshold == 3 and probe.timeout_s == 1.0 and probe.success_threshold == 1
    assert probe.removal_s() == 3 * 1.0 + 0.5
    assert probe.removal_s(timing_out=True) == 3 * (1.0 + 0.5) + 0.5  # a timed-out check, then the period
    custom = ReadinessProbe(period_s=10, timeout_s=2, failure_threshold=5).haproxy_cfg()
    assert "timeout check 2000ms" in custom and "inter 10000ms fall 5" in custom
