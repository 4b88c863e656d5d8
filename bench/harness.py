"""Benchmark of the harness: full stack start with warm images, reset between
scenarios, and time from a fault's injection to the first observed symptom. Targets
on this 2-core machine: stack up <= 20 s, reset <= 2 s, symptom observed <= 1 s."""

from __future__ import annotations

import statistics
import time

from runbook_drill.harness.observe import observers
from runbook_drill.harness.faults import make
from runbook_drill.harness.observe.history import History
from runbook_drill.harness.engine.session import begin
from runbook_drill.harness.settings import load_settings
from runbook_drill.harness.stack import Stack, StackConfig

TARGETS = {"stack_up_s": 20.0, "reset_s": 2.0, "symptom_s": 1.0}


def _time_to_symptom(stack) -> float:
    """Injects a refused database; returns seconds until a probe first saw readiness 503."""
    history = History()
    poller = observers.probe(history, "replica-0", lambda: stack.url(0), "/health/ready").start()
    fault = make("dependency_refused", dependency="postgres")
    try:
        injected = time.time()
        fault.inject(stack)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            seen = [e for e in history.events("probe") if e.t >= injected and e.data["status"] == 503]
            if seen:
                return seen[0].t + seen[0].data["latency"] - injected
            time.sleep(0.02)
        return float("inf")
    finally:
        poller.stop()
        fault.heal(stack)


def run(dry: bool = False) -> dict:
    """Returns the figures; `dry`: one fault and reset instead of three."""
    session = begin(load_settings())
    config = StackConfig(replicas=2, seed_users=1000, with_lb=True, with_prometheus=True)
    try:
        started = time.monotonic()
        with Stack(session, config) as stack:
            stack_up = time.monotonic() - started
            resets, symptoms = [], []
            for _ in range(1 if dry else 3):
                symptoms.append(_time_to_symptom(stack))
                began = time.monotonic()
                stack.reset()
                resets.append(time.monotonic() - began)
    finally:
        session.close()
    result = {"stack_up_s": round(stack_up, 2), "reset_s": round(statistics.median(resets), 2),
              "symptom_s": round(statistics.median(symptoms), 3), "resets_s": [round(r, 2) for r in resets],
              "symptoms_s": [round(s, 3) for s in symptoms], "targets": TARGETS,
              "stack": "postgres, redis, auth-api, toxiproxy, 2 user-api replicas, haproxy, prometheus"}
    result["meets_target"] = all(result[k] <= v for k, v in TARGETS.items())
    return result
