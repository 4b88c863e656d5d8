"""`drill run`'s ending: the runbook lines no scenario proves, counted and named, and
--strict-coverage turning them into exit 1 (never hiding a harness error)."""

import pytest

from runbook_drill import scenarios
from runbook_drill.suite import coverage_gate
from runbook_drill.harness.runbook import RUNBOOK, Runbook


def _uncovered_runbook(tmp_path) -> Runbook:
    path = tmp_path / "runbook.md"
    path.write_text(RUNBOOK.read_text().replace("- Rate limiting triggered\n",
                                                "- Rate limiting triggered\n- Disk full on the database\n"))
    return Runbook(path)


@pytest.mark.parametrize("strict, code, expected", [(False, 0, 0), (True, 0, 1), (True, 1, 1), (True, 3, 3)])
def test_a_line_no_scenario_proves_fails_the_run_only_when_strict(tmp_path, capsys, strict, code, expected):
    book = _uncovered_runbook(tmp_path)
    assert coverage_gate(book, scenarios.build(book), strict, code) == expected
    out = capsys.readouterr().out
    assert "coverage: 1 checkable runbook line(s) no scenario proves" in out and "L39: - Disk full" in out


def test_the_projects_runbook_has_no_line_left_to_prove_even_when_strict(capsys):
    assert coverage_gate(Runbook(), scenarios.build(Runbook()), True, 0) == 0
    assert "coverage: 0 checkable runbook line(s)" in capsys.readouterr().out
