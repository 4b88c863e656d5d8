"""The game day's walk-through on its own: a pause before each phase (none with --auto,
none once input has ended), the verdicts printed and the live report rendered after it."""

from runbook_drill.harness.checks import Verdict
from runbook_drill.harness.runbook import Runbook
from runbook_drill.gameday import Walkthrough
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


def test_an_observation_typed_at_a_pause_is_kept_with_its_time_and_the_phase_it_came_before(tmp_path):
    from runbook_drill.harness.observe.history import History

    history = History()
    said = iter(["ready replicas at 0 on the dashboard; runbook step 1 next", ""])
    walk = Walkthrough(Runbook(), tmp_path / "index.html", "t", auto=False, ask=lambda _prompt: next(said))
    walk.attach(history)
    walk.before("remediation")
    walk.before("recovery")  # Enter alone: nothing kept
    (seen,) = history.events("observation")
    assert seen.data == {"text": "ready replicas at 0 on the dashboard; runbook step 1 next", "before": "remediation"}
    assert seen.source == "facilitator"


def _observed(record, t: float, text: str):
    record.history["events"].append({"t": record.start + t, "kind": "observation", "source": "facilitator",
                                        "data": {"text": text, "before": "remediation"}})
    return record


def test_the_days_record_names_the_verdict_times_checks_and_observations(tmp_path):
    from runbook_drill.harness.report import gameday

    record = _observed(journal(), 15.0, "500s on the load balancer | Grafana errors panel")
    text = gameday.render(record, Runbook(), tmp_path / "index.html")
    assert text.startswith("# Game day: db-refused - db-refused title")
    assert "- verdict: ✅ **passed**" in text and "- detection: " in text and "recovery: " in text
    assert "- +15.0 s, before remediation: 500s on the load balancer \\| Grafana errors panel" in text
    assert "| fault | the service http_requests_errors_total rises | pass |" in text
    assert gameday.write(record, Runbook(), tmp_path / "index.html") == tmp_path / "gameday.md"


def test_the_report_lists_the_observations_under_the_scenarios_plot(tmp_path):
    from runbook_drill.harness.report import html

    record = _observed(journal(), 15.0, "p99 panel flat <fine>")
    page = html.write([record], Runbook(), tmp_path / "index.html", "t").read_text()
    assert "+15.0 s, before remediation: p99 panel flat &lt;fine&gt;" in page
