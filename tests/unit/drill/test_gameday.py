"""The game day's walk-through on its own: a pause before each phase (none with --auto,
none once input has ended), the verdicts printed and the live report rendered after it."""

from harness.checks import Verdict
from harness.runbook import Runbook
from drill.gameday import Walkthrough
from tests.support.journals import journal


def test_each_phase_is_announced_and_waits_for_enter(tmp_path, capsys):
    asked = []
    walk = Walkthrough(Runbook(), tmp_path / "index.html", "t", auto=False, ask=asked.append)
    walk.before("steady")
    walk.before("fault")
    assert len(asked) == 2 and "inject the fault" in asked[1]
    assert "== phase 2/4: inject the fault" in capsys.readouterr().out


def test_auto_never_waits_and_ended_input_turns_into_auto(tmp_path):
    asked = []
    Walkthrough(Runbook(), tmp_path / "index.html", "t", auto=True, ask=asked.append).before("steady")
    assert asked == []

    def ended(_prompt):
        asked.append("asked")
        raise EOFError

    walk = Walkthrough(Runbook(), tmp_path / "index.html", "t", auto=False, ask=ended)
    walk.before("steady")
    walk.before("fault")
    assert asked == ["asked"] and walk.auto


def test_after_a_phase_its_verdicts_are_printed_and_the_live_report_rendered(tmp_path, capsys):
    walk = Walkthrough(Runbook(), tmp_path / "index.html", "game day", auto=True)
    walk.after("fault", [Verdict("500 rate > 1.0%", "pass", {})], lambda: journal(status="running"))
    out = capsys.readouterr().out
    assert "PASS     500 rate > 1.0%" in out and "live report updated: file://" in out
    assert "db-refused" in (tmp_path / "index.html").read_text()
