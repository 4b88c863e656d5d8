"""Benchmark of `drill contract`: the pre-flight's wall time on the bundled User API and
on the Go example (examples/go-user-api), images already built - what a team waits for
before the suite starts. Target on this 2-core machine: at most 60 s each."""

from __future__ import annotations

import time

from runbook_drill.harness.contract.preflight import preflight
from runbook_drill.harness.engine.recipes import EXAMPLES, EXAMPLES_DIR
from runbook_drill.harness.engine.session import begin
from runbook_drill.harness.runbook import Runbook
from runbook_drill.harness.settings import load_settings
from runbook_drill.harness.stack import Stack
from runbook_drill.harness.stack.profile import ServiceProfile, load_profile
from runbook_drill.scenarios.common import SUITE_KNOBS

TARGET_S = 60.0


def _timed(session, image, profile, names) -> dict:
    started = time.monotonic()
    results = preflight(session, image, profile, SUITE_KNOBS, names, Stack)
    seconds = time.monotonic() - started
    return {"seconds": round(seconds, 1), "lines": len(results), "met": sum(r.met for r in results),
            "unmet": [r.line.id for r in results if not r.met], "meets_target": seconds <= TARGET_S}


def run(dry: bool = False) -> dict:
    """Returns the figures; `dry`: the bundled image only."""
    session = begin(load_settings())
    names = Runbook().metric_names()
    try:
        figures = {"bundled": _timed(session, None, ServiceProfile(), names)}
        if not dry:
            go = session.images.resolve_spec(EXAMPLES["go-user-api"]).ref
            figures["go"] = _timed(session, go, load_profile(EXAMPLES_DIR / "go-user-api" / "profile.toml"), names)
    finally:
        session.close()
    return {**figures, "target_s": TARGET_S}
