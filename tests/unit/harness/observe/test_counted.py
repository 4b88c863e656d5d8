"""The counted load against a loopback server standing in for one replica: every
phase's requests recorded with their phase, each phase between scrapes (a scrape
poller runs beside it, as the runner's does), forged tokens sent in a tampered phase,
and a held phase sending for its whole hold."""

import time

import pytest

from runbook_drill.harness.observe.counted import SCRAPE_GAP_S, CountedLoad, Phase, scrape_began, tampered
from runbook_drill.harness.observe.history import History
from runbook_drill.harness.observe.observers import Poller
from runbook_drill.harness.polling import wait_until
from tests.support.answering import answering


@pytest.fixture
def server():
    with answering() as (url, seen):
        yield url, seen


def _scrapes(history: History) -> Poller:
    def observe():
        started = time.time()
        history.record("metrics", "replica-0", samples={}, types={}, started=started)
    return Poller("scrape", observe, interval=0.1).start()


def _run(plan: CountedLoad, url: str) -> History:
    history = History()
    poller = _scrapes(history)
    run = plan.build(history, url, url, lambda i: f"token-of-{i}", ids=[f"u{i}" for i in range(50)]).start()
    try:
        assert wait_until(lambda: len(history.events("phase")) == len(plan.phases), 20, interval=0.05)
    finally:
        run.stop()
        poller.stop()
    return history


def test_every_phase_is_recorded_with_its_requests_and_a_scrape_on_each_side(server):
    url, seen = server
    plan = CountedLoad(phases=(Phase("misses", requests=10, ids=10), Phase("rejected", requests=5, tampered=True)),
                       client=7)
    history = _run(plan, url)
    phases = {e.data["name"]: e for e in history.events("phase")}
    sent = history.events("request")
    assert [e.data["phase"] for e in sent].count("misses") == 10 and len(sent) == 15
    assert {path for _, path, _ in seen[:10]} == {f"/users/u{i}" for i in range(40, 50)}
    assert {auth for _, _, auth in seen[10:]} == {f"Bearer {tampered('token-of-7')}"}
    scrapes = history.events("metrics")
    for phase in phases.values():
        end = phase.t + phase.data["latency"]
        assert any(s.t < phase.t for s in scrapes) and any(scrape_began(s) >= end + SCRAPE_GAP_S for s in scrapes)


def test_a_held_phase_keeps_each_client_sending_for_its_hold(server):
    url, seen = server
    history = _run(CountedLoad(phases=(Phase("held", method="PATCH", clients=3, ids=3, hold_s=0.5,
                                             body={"name": "x"}),)), url)
    phase = history.events("phase")[0]
    assert phase.data["latency"] >= 0.5
    assert {method for method, _, _ in seen} == {"PATCH"} and len(seen) > 3
    assert {path for _, path, _ in seen} == {"/users/u47", "/users/u48", "/users/u49"}
