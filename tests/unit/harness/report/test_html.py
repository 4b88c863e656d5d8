"""The report page from stored journals: every scenario with its verdict, plot, checks
and runbook section; the coverage of the run; nothing fetched from a network; and
`drill report` re-rendering a run's journals."""

import json
import re

import pytest

from runbook_drill.harness.report import html
from runbook_drill.harness.runbook import Runbook
from runbook_drill.cli import main
from tests.support.journals import journal

FAILED_CHECK = {"check": "500 rate > 1.0%", "status": "fail", "evidence": {"error_rate": 0.0, "answered": 120}}
UNKNOWN_CHECK = {"check": "p99 latency > 500 ms", "status": "unknown", "evidence": {"reason": "90 requests (< 100)"}}


@pytest.fixture(scope="module")
def page() -> str:
    records = [journal("db-refused"), journal("db-pod-restarted", "failed", verdicts=[FAILED_CHECK]),
               journal("latency-slow-queries", "unknown", symptom=False, verdicts=[UNKNOWN_CHECK]),
               journal("auth-clock-skew", "error", error="FaultNotApplied: no toxic on postgres", verdicts=[])]
    return html.render(records, Runbook(), "runbook-drill run test")


def test_the_summary_lists_every_scenario_with_its_verdict_and_times(page):
    summary = page.split('<table class="summary">', 1)[1].split("</table>", 1)[0]
    for sid, status in [("db-refused", "passed"), ("db-pod-restarted", "failed"),
                        ("latency-slow-queries", "unknown"), ("auth-clock-skew", "error")]:
        assert re.search(rf'href="#{sid}".*?>{status}</span>', summary)
    assert "0.32 s" in summary and "2.00 s" in summary  # detection and recovery of db-refused


def test_each_scenario_has_a_plot_with_the_thresholds_and_shaded_windows(page):
    assert page.count('class="plot"') == 4 and page.count("Plotly.newPlot") == 4
    assert "runbook p99 500 ms" in page and "runbook error rate 1%" in page
    assert '"text":"fault"' in page.replace(" ", "") and '"text":"recovered"' in page.replace(" ", "")


def test_failed_unknown_and_error_scenarios_show_their_evidence(page):
    assert "500 rate &gt; 1.0%" in page and "&quot;answered&quot;: 120" in page
    assert "90 requests (&lt; 100)" in page and "FaultNotApplied: no toxic on postgres" in page


def test_the_runbook_section_and_the_coverage_of_the_run_are_on_the_page(page):
    assert "Database Connection Failures" in page and "connection refused" in page
    assert "Runbook coverage of this run" in page and "db-refused" in page.split("Runbook coverage", 1)[1]


def test_the_page_fetches_nothing(page):
    assert not re.search(r'<(script|link|img|iframe)[^>]+(src|href)="?(https?:)?//', page)
    assert page.count("<script>") == 1 + 4  # plotly.js inlined once, one call per plot


def test_drill_report_renders_a_runs_journals_again(tmp_path, capsys):
    journals = tmp_path / "run-1" / "journal"
    journals.mkdir(parents=True)
    (journals / "db-refused.json").write_text(json.dumps(journal().to_json()))
    assert main(["report", str(journals)]) == 0
    assert (tmp_path / "run-1" / "index.html").stat().st_size > 1_000_000  # plotly.js inside
    assert "1 scenarios" in capsys.readouterr().out


def test_drill_report_of_a_directory_without_journals_is_exit_2_in_one_line(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "holds no scenario journals" in err
    assert not (tmp_path.parent / "index.html").exists()


def test_drill_report_of_a_file_that_is_not_a_journal_names_it_in_one_line_and_exits_2(tmp_path, capsys):
    (tmp_path / "settings.json").write_text(json.dumps({"scenario": "x"}))
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "settings.json" in err and "not a scenario journal" in err


def test_a_pass_near_its_bound_is_listed_under_marginal_passes_with_its_figure():
    near = {"check": "p99 latency < 500 ms", "status": "pass",
            "evidence": {"p99_ms": 431.0, "bound": {"figure": "p99_ms", "op": "<", "value": 500}}}
    text = html.render([journal("latency-cpu-throttling", verdicts=[near])], Runbook(), "run")
    listed = text.split('<h2 id="marginal">Marginal passes</h2>', 1)[1].split("<h2>", 1)[0]
    assert "latency-cpu-throttling" in listed and "431 vs 500 (1.16x)" in listed
    assert '<a href="#marginal">1 marginal check(s)</a>' in text


def test_a_run_with_no_marginal_pass_says_so(page):
    assert "Marginal passes</h2><p>None:" in page
