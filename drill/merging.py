"""`drill report --merge`: the shards' runs of one split joined into one run directory -
journals, report page, JUnit file, coverage table and summary; for shards of a release
validation, both sides joined and compared again, as one release validation would be."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

from runbook_drill.runs import new_run_dir, point_latest
from runbook_drill.suite import compare_runs, coverage_gate, write_outputs
from runbook_drill.harness.errors import ConfigError
from runbook_drill.harness.report.merge import Merged, merge
from runbook_drill.harness.report.trends import MERGED_FILE
from runbook_drill.harness.run.journal import ScenarioRecord
from runbook_drill.harness.run.suite import exit_code
from runbook_drill.harness.runbook import RUNBOOK, Runbook


def _out_dir(options) -> Path:
    """Returns the merged run's directory: --out, else a new one under reports/; raises
    ConfigError when --out holds something already."""
    run_id, run_dir = new_run_dir()
    out = Path(options.out) if options.out else run_dir.with_name(run_id + "-merged")
    if out.exists() and any(out.iterdir()):
        raise ConfigError(f"drill report --merge: --out {out} is not empty")
    return out


def _write_side(options, records: list[ScenarioRecord], runbook: Runbook, out: Path, part: str, title: str) -> dict:
    """Copies one side's journals (every shard's) under `out` and writes its outputs."""
    (out / "journal").mkdir(parents=True, exist_ok=True)
    for source in options.merge:
        if (Path(source) / part / "journal").is_dir():
            shutil.copytree(Path(source) / part / "journal", out / "journal", dirs_exist_ok=True)
    return write_outputs(records, runbook, out, title, options, summarize=not part)


def merge_shards(options, settings) -> int:
    """Joins the shards' runs; returns the exit code of the joined run (0 passed, 1 not
    passed or - a release - worse than the baseline, 3 a harness error). Raises
    ConfigError (exit 2) for shards that do not make one whole run."""
    from runbook_drill import scenarios
    merged = merge([Path(d) for d in options.merge])
    out = _out_dir(options)
    runbook = Runbook(Path(options.runbook) if options.runbook else merged.runbook or RUNBOOK)
    out.mkdir(parents=True, exist_ok=True)
    (out / "runbook.md").write_text(runbook.text)
    title = f"runbook-drill: {merged.shards} shards merged"
    code = _release(options, merged, runbook, out, title) if merged.release else _single(options, merged, runbook, out,
                                                                                       title)
    (out / MERGED_FILE).write_text(json.dumps({"shards": [Path(d).resolve().name for d in options.merge]}) + "\n")
    if not options.out:
        point_latest(out)
    return coverage_gate(runbook, scenarios.build(runbook, extensions=settings.scenarios), False, code)


def _single(options, merged: Merged, runbook: Runbook, out: Path, title: str) -> int:
    files = _write_side(options, merged.records, runbook, out, "", title)
    print(f"merged {merged.shards} shard(s), {len(merged.records)} scenario(s): report {files['report']}; "
          f"junit {files['junit']}; journals {files['journals']}")
    return exit_code(merged.records, options.flaky_is_ok)


def _release(options, merged: Merged, runbook: Runbook, out: Path, title: str) -> int:
    for part, records in (("baseline", merged.baseline), ("candidate", merged.records)):
        # --junit is the candidate's: the baseline writes its own beside its journals only
        side = options if part == "candidate" else dataclasses.replace(options, junit=None)
        files = _write_side(side, records, runbook, out / part, part, f"{title}: {part}")
        print(f"merged {merged.shards} shard(s), {part}: {len(records)} scenario(s): report {files['report']}")
    return compare_runs(merged.baseline, merged.records, runbook, out, options, f"{title}: release validation")
