"""JUnit XML from scenario journals: one testcase per scenario (classname = the runbook
section), a failure naming the runbook line, the check, expected and observed; a harness
error as <error>, an unknown verdict as a failure (never a pass). A flaky scenario (failed,
then passed on a rerun) is a failure of type "flaky" naming its attempts - or, when the
run lets flaky scenarios through (--flaky-is-ok), a pass with one <flakyFailure> per
failed attempt, as Maven Surefire writes them and the CI platforms read them."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from runbook_drill.harness.run.journal import ScenarioRecord


def failure_text(record: ScenarioRecord) -> tuple[str, str]:
    """Returns (message, details) for a scenario that did not pass."""
    bad = [v for v in record.verdicts if v.status != "pass"]
    proves = "; ".join(record.proves or []) or record.runbook
    if not bad:
        return record.error.splitlines()[0] if record.error else record.status, record.error
    first = bad[0]
    observed = {k: v for k, v in first.evidence.items() if k not in ("window", "examples", "first_mismatches")}
    window = f" (window: {first.evidence['window']})" if first.evidence.get("window") else ""
    message = f"runbook: {proves} | check: {first.check}{window} [{first.status}] | expected: {first.check} | " \
              f"observed: {json.dumps(observed, default=str)[:600]}"
    if record.status in ("error", "aborted") and record.error:  # why first, then the checks left undecided
        message = f"{record.status}: {record.error.splitlines()[0][:600]} | {message}"
    details = "\n".join(f"{v.status}: {v.check}: {json.dumps(v.evidence, default=str)[:1000]}" for v in bad)
    return message, details


def _flaky(case: ET.Element, record: ScenarioRecord, flaky_is_ok: bool) -> None:
    """Adds a flaky scenario's attempts to its testcase (see the module's docstring)."""
    attempts = record.attempts
    told = "; ".join(f"attempt {a['attempt']} {a['status']}: {a['deciding']}" for a in attempts)
    if flaky_is_ok:
        for attempt in attempts:
            ET.SubElement(case, "flakyFailure", message=attempt["deciding"][:600], type=attempt["status"])
        return
    message = f"flaky: passed on attempt {len(attempts) + 1} only ({told[:600]})"
    ET.SubElement(case, "failure", message=message, type="flaky").text = told


def _margins(case: ET.Element, record: ScenarioRecord) -> None:
    """Adds each decided check's margin as a testcase property ("margin: CHECK" = "598 vs
    500 (1.2x)", marked marginal or weak), as CI platforms show a case's properties."""
    found = [m for m in (v.margin() for v in record.verdicts) if m is not None]
    if not found:
        return
    properties = ET.SubElement(case, "properties")
    ET.SubElement(properties, "property", name="marginal checks", value=str(sum(m.marginal for m in found)))
    for m in found:
        note = " marginal" if m.marginal else " weak" if m.weak else ""
        ET.SubElement(properties, "property", name=f"margin: {m.check}"[:200],
                      value=f"{'pass' if m.passed else 'fail'}: {m.describe()}{note}")


def _failed(record: ScenarioRecord, flaky_is_ok: bool) -> bool:
    return record.status in ("failed", "unknown", "aborted") or (record.status == "flaky" and not flaky_is_ok)


def render(records: list[ScenarioRecord], name: str = "runbook-drill", flaky_is_ok: bool = False) -> str:
    """Returns the JUnit XML document for the scenario records."""
    suite = ET.Element("testsuite", name=name, tests=str(len(records)),
                       failures=str(sum(_failed(r, flaky_is_ok) for r in records)),
                       errors=str(sum(r.status == "error" for r in records)),
                       time=f"{sum(r.end - r.start for r in records):.2f}")
    for record in records:
        case = ET.SubElement(suite, "testcase", classname=record.runbook, name=record.scenario,
                             time=f"{record.end - record.start:.2f}")
        _margins(case, record)
        if record.status == "passed":
            continue
        if record.status == "flaky":
            _flaky(case, record, flaky_is_ok)
            continue
        message, details = failure_text(record)
        tag = "error" if record.status == "error" else "failure"
        ET.SubElement(case, tag, message=message, type=record.status).text = details
    ET.indent(suite)
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def write(records: list[ScenarioRecord], path: Path, flaky_is_ok: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(records, flaky_is_ok=flaky_is_ok))
    return path
