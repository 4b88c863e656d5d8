"""The contract's lines as data and as docs/contract.md stay the same document."""

import re
from pathlib import Path

from runbook_drill.harness.contract.lines import LINES

DOC = Path(__file__).resolve().parents[4] / "docs" / "contract.md"


def _documented() -> dict[str, str]:
    rows = re.findall(r"^\| `([a-z_.]+)` \|(.*)\|(.*)\|(.*)\|$", DOC.read_text(), re.M)
    return {line_id: checked.strip() for line_id, _, _, checked in rows}


def test_every_contract_line_is_in_the_document_with_who_checks_it_and_nothing_else_is():
    documented = _documented()
    assert documented == {line.id: "pre-flight" if line.preflight else "scenarios" for line in LINES}


def test_every_line_names_the_runbook_line_it_comes_from_or_that_it_drives_the_test():
    assert all(line.source and line.claim for line in LINES)
    assert len({line.id for line in LINES}) == len(LINES)


def test_only_the_lines_needed_to_drive_an_image_stop_a_run_the_runbook_s_are_judged_by_the_scenarios():
    from runbook_drill.harness.contract.lines import BY_ID

    drives = {line.id for line in LINES if line.drives}
    assert drives == {"start.ready", "users.create", "users.read", "users.list", "users.update", "knobs.declared",
                      "knobs.spelled"}
    assert not BY_ID["auth.invalid_token"].drives and not BY_ID["metrics.exported"].drives
