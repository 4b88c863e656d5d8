"""Stop conditions: the expressions a person writes, validated in one line; a bound
judged on a history - held in every bucket of its time, with evidence at both ends -
and never tripped by one slow request or by silence; the runbook's defaults and how a
given condition replaces one of its kind."""

import pytest

from runbook_drill import scenarios
from runbook_drill.harness.errors import ConfigError
from runbook_drill.harness.observe.history import History
from runbook_drill.harness.polling import wait_until
from runbook_drill.harness.run import stops
from runbook_drill.harness.run.plan import broken_for_s
from runbook_drill.harness.runbook import RUNBOOK, Runbook

ALERTS = {"ServiceDown", "HighErrorRate", "HighLatency"}
NOW = 1000.0


@pytest.mark.parametrize("text, kind, for_s, bound, alert", [
    ("error_rate>20% for 10s", "error_rate", 10, 0.2, ""),
    ("error_rate > 2.5% for 1m", "error_rate", 60, 0.025, ""),
    ("p99>5s for 30s", "p99", 30, 5.0, ""),
    ("p99>800ms for 20s", "p99", 20, 0.8, ""),
    ("alert ServiceDown for 60s", "alert", 60, 0.0, "ServiceDown"),
    ("down for 300s", "down", 300, 0.0, ""),
])
def test_each_form_of_stop_condition_is_read(text, kind, for_s, bound, alert):
    condition = stops.parse(text, ALERTS)
    assert (condition.kind, condition.for_s, condition.bound, condition.alert) == (kind, for_s, bound, alert)


@pytest.mark.parametrize("text, said", [
    ("p99>5s", "not a stop condition; e.g. 'error_rate>20% for 10s'"),
    ("cpu>90% for 10s", "not a stop condition"),
    ("error_rate>100% for 10s", "an error rate bound must be under 100%"),
    ("down for 500ms", "hold it for at least 1s"),
    ("alert Paged for 5s", "no alert 'Paged' in the stack's rules; known: HighErrorRate, HighLatency, ServiceDown"),
])
def test_a_bad_stop_condition_is_one_line_naming_it(text, said):
    with pytest.raises(ConfigError) as error:
        stops.parse(text, ALERTS)
    assert str(error.value).startswith(f"--stop-when {text!r}: ") and said in str(error.value)
    assert "\n" not in str(error.value)


def _requests(history, start, end, status, latency=0.01, per_s=10):
    for n in range(int((end - start) * per_s)):
        history.record("request", "load", t=start + n / per_s, endpoint="/users/{user_id}", status=status,
                       latency=latency)


def test_an_error_rate_over_its_bound_in_every_bucket_trips_with_the_figures():
    history = History()
    _requests(history, NOW - 12, NOW, 500)
    evidence = stops.parse("error_rate>20% for 10s").held(history, NOW)
    assert evidence["buckets"] == 10 and min(evidence["figures"]) == 1.0


def test_one_bucket_under_the_bound_or_silence_at_either_end_does_not_trip():
    healed = History()
    _requests(healed, NOW - 12, NOW - 3, 500)
    _requests(healed, NOW - 3, NOW - 2, 200)  # served again for a second
    _requests(healed, NOW - 2, NOW, 500)
    condition = stops.parse("error_rate>20% for 10s")
    assert condition.held(healed, NOW) is None
    started_late = History()
    _requests(started_late, NOW - 4, NOW, 500)  # the first bucket has no evidence yet
    assert condition.held(started_late, NOW) is None
    assert condition.held(History(), NOW) is None


def test_unanswered_requests_count_against_the_error_rate_and_at_their_wait_in_the_p99():
    history = History()
    _requests(history, NOW - 13, NOW, None, latency=2.0)
    assert stops.parse("error_rate>50% for 10s").held(history, NOW) is not None
    assert stops.parse("p99>1s for 10s").held(history, NOW)["figures"][0] == 2000.0
    assert stops.parse("p99>5s for 10s").held(history, NOW) is None


def test_an_alert_firing_at_every_poll_and_the_load_balancer_never_ready_trip():
    history = History()
    for n in range(24):
        t = NOW - 12 + n / 2
        history.record("alerts", "prometheus", t=t, firing=["ServiceDown"], pending=[])
        history.record("probe", "lb", t=t, path="/health/ready", status=503, latency=0.01)
    assert stops.parse("alert ServiceDown for 10s", ALERTS).held(history, NOW) is not None
    assert stops.parse("alert HighLatency for 10s", ALERTS).held(history, NOW) is None
    assert stops.parse("down for 10s").held(history, NOW) is not None
    history.record("probe", "lb", t=NOW - 5, path="/health/ready", status=200, latency=0.01)
    assert stops.parse("down for 10s").held(history, NOW) is None


def test_the_defaults_come_from_the_runbook_and_the_faults_longest_time_broken():
    runbook = Runbook(RUNBOOK)
    scenario = next(s for s in scenarios.build(runbook) if s.id == "db-refused")
    error_rate, down = stops.for_scenario(runbook, scenario, [])
    assert error_rate.kind == "error_rate" and error_rate.bound == pytest.approx(0.10)  # 10x the runbook's 1%
    assert error_rate.for_s == pytest.approx(broken_for_s(scenario) + stops.MARGIN_S)
    assert down.kind == "down" and down.for_s == 300  # "If rollback doesn't resolve in 5 minutes"


def test_a_given_condition_replaces_the_default_of_its_kind_and_adds_any_other():
    runbook = Runbook(RUNBOOK)
    scenario = next(s for s in scenarios.build(runbook) if s.id == "db-refused")
    given = [stops.parse("error_rate>50% for 20s"), stops.parse("p99>5s for 30s")]
    texts = [c.text for c in stops.for_scenario(runbook, scenario, given)]
    assert texts == ["down for 300s", "error_rate>50% for 20s", "p99>5s for 30s"]


class Clock:
    """The watch's clock, at the history's time."""

    @staticmethod
    def time() -> float:
        return NOW


def test_a_watch_calls_its_trip_once_with_the_evidence_and_stops(monkeypatch):
    history = History()
    _requests(history, NOW - 12, NOW, 500)
    tripped = []
    monkeypatch.setattr(stops, "time", Clock)
    watch = stops.Watch([stops.parse("error_rate>20% for 10s")], history, lambda: tripped.append(1), poll_s=0.01)
    watch.start()
    try:
        assert wait_until(lambda: tripped, 5, interval=0.01)
    finally:
        watch.stop()
    assert tripped == [1] and watch.tripped["condition"] == "error_rate>20% for 10s" and watch.tripped["at"] == NOW
