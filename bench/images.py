"""Benchmark of the image pipeline: a cold offline build of every image, then the warm
no-op (`drill setup` when nothing changed), then a fresh engine's set-up from the image
cache (`drill images --save`, then `--load` into a second dockerd) against that cold
build, in the same run. Targets: warm no-op under 5 s; the cache at least 5x faster."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from runbook_drill.harness.engine.images import ImageResolver
from runbook_drill.harness.engine.resources import clean
from runbook_drill.harness.engine.session import begin
from runbook_drill.harness.settings import load_settings

WARM_TARGET_SECONDS = 5.0
CACHE_TARGET_RATIO = 5.0


def cold_build() -> dict:
    """Removes every offline-built image, builds all again offline; returns the timings."""
    settings = replace(load_settings(), image_policy="offline")
    session = begin(settings)
    try:
        clean(session.client, images=True)
        started = time.monotonic()
        rows = ImageResolver(session.client, settings).resolve_all()
        total = time.monotonic() - started
    finally:
        session.close()
    return {"total_seconds": round(total, 1),
            "images": {r.name: {"source": r.source, "seconds": round(r.seconds, 1), "mb": round(r.size / 1e6)}
                       for r in rows}}


def warm_noop(repeats: int = 5) -> dict:
    """Times `drill setup` with nothing to do; returns median and max seconds."""
    drill = str(Path(sys.executable).with_name("drill"))
    times = []
    for _ in range(repeats):
        started = time.monotonic()
        subprocess.run([drill, "setup"], check=True, capture_output=True, timeout=120)
        times.append(time.monotonic() - started)
    median = statistics.median(times)
    return {"median_seconds": round(median, 2), "max_seconds": round(max(times), 2),
            "target_seconds": WARM_TARGET_SECONDS, "meets_target": median < WARM_TARGET_SECONDS}


def from_cache(cold_seconds: float) -> dict:
    """Saves every image, then times `drill images --load` into a fresh engine (its own
    dockerd and data root); returns both times and the ratio to the cold build."""
    import os
    import tempfile

    from bench.engines import second_engine

    drill = str(Path(sys.executable).with_name("drill"))
    with tempfile.TemporaryDirectory(prefix="drill-bench-cache-") as directory:
        started = time.monotonic()
        subprocess.run([drill, "images", "--save", directory], check=True, capture_output=True, timeout=900)
        saved = time.monotonic() - started
        with second_engine(Path(directory) / "engine") as host:
            started = time.monotonic()
            done = subprocess.run([drill, "images", "--load", directory], check=True, capture_output=True, text=True,
                                  timeout=900, env={**os.environ, "DOCKER_HOST": host})
            loaded = time.monotonic() - started
    ratio = cold_seconds / loaded
    return {"save_seconds": round(saved, 1), "load_seconds": round(loaded, 1), "rebuilt": "built in" in done.stdout,
            "ratio_cold_to_load": round(ratio, 2), "target_ratio": CACHE_TARGET_RATIO,
            "meets_target": ratio >= CACHE_TARGET_RATIO}


def run(dry: bool = False) -> dict:
    """Returns the figures; `dry`: one warm no-op only (a cold build removes the images)."""
    if dry:
        return {"warm_noop_setup": warm_noop(repeats=1)}
    cold = cold_build()
    warm = warm_noop()
    warm["ratio_to_cold"] = round(warm["median_seconds"] / cold["total_seconds"], 4)
    return {"cold_offline_build": cold, "warm_noop_setup": warm, "fresh_engine_from_cache": from_cache(
        cold["total_seconds"])}
