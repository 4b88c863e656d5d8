"""The runbook as oracle: every value the suite relies on comes from its text, each
anchored by its line; an edited runbook changes the values, a broken one is drift."""

import pytest

from harness import runbook
from harness.runbook import RUNBOOK, Runbook, RunbookError


def _edited(tmp_path, old: str, new: str):
    text = RUNBOOK.read_text()
    assert old in text, old
    path = tmp_path / "runbook.md"
    path.write_text(text.replace(old, new))
    return path


def test_the_projects_runbook_states_every_claim_the_suite_relies_on():
    book = Runbook()
    assert book.value("threshold.error_rate") == 0.01 and book.value("threshold.p99_ms") == 500
    assert book.value("ready.checks") == ["Database connectivity", "Redis connectivity"]
    assert book.value("live.endpoint") == "/health/live" and book.value("ready.expected") == 200
    assert book.value("db.symptom_log") == "connection refused" and book.value("auth.symptom_status") == 401
    assert book.value("service_down.rollback_deadline_s") == 300 and book.value("latency.scale_replicas") == 5
    assert "db_connection_pool_active" in book.metric_names() and len(book.incidents()) == 3


def test_each_claim_is_anchored_by_the_line_it_comes_from():
    book = Runbook()
    claim = book.claims["threshold.p99_ms"]
    assert book.lines[claim.line - 1].strip() == claim.text == "### High Latency (p99 >500ms)"


def test_edited_thresholds_and_symptoms_are_what_the_suite_reads(tmp_path):
    edited = _edited(tmp_path, "High Latency (p99 >500ms)", "High Latency (p99 >750ms)")
    assert runbook.p99_threshold_ms(edited) == 750
    edited = _edited(tmp_path, 'logs show "invalid token"', 'logs show "token rejected"')
    assert Runbook(edited).value("auth.symptom_log") == "token rejected"


@pytest.mark.parametrize("old,new,named", [
    ("High Error Rate (>1%)", "High Error Rate (lots)", "High Error Rate"),
    ("- `redis_hits_total` - Cache hit rate", "", None),
    ("If rollback doesn't resolve in 5 minutes", "If rollback doesn't help", "rollback"),
])
def test_a_claim_whose_text_is_gone_is_drift_naming_the_text(tmp_path, old, new, named):
    edited = _edited(tmp_path, old, new)
    if named is None:  # a metric removed from the list is not drift: fewer metrics are claimed
        assert "redis_hits_total" not in Runbook(edited).metric_names()
        return
    with pytest.raises(RunbookError) as error:
        Runbook(edited)
    assert "drift" in str(error.value) and named.lower() in str(error.value).lower()


def test_an_unreadable_runbook_is_a_one_line_error(tmp_path):
    with pytest.raises(RunbookError, match="cannot read the runbook"):
        Runbook(tmp_path / "missing.md")
