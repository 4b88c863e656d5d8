"""The runbook as oracle: every value the suite relies on comes from its text, each
anchored by its line; an edited runbook changes the values, a broken one is drift."""

import pytest

from runbook_drill import scenarios
from runbook_drill.harness import runbook
from runbook_drill.harness.runbook import RUNBOOK, Runbook, RunbookError


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


def test_a_threshold_changed_in_another_unit_is_judged_at_its_new_value(tmp_path):
    book = Runbook(_edited(tmp_path, "High Latency (p99 >500ms)", "High Latency (p99 >0.7s)"))
    assert book.value("threshold.p99_ms") == 700 and book.claims["threshold.p99_ms"].text.endswith("(p99 >0.7s)")
    bounds = {c.description for s in scenarios.build(book) for c in s.checks() if "p99 latency" in c.description}
    assert "p99 latency > 700 ms" in bounds and not any("500 ms" in b for b in bounds)


@pytest.mark.parametrize("old,new,claim,value", [
    ("(p99 >500ms)", "(p99 over 0.5 seconds)", "threshold.p99_ms", 500),
    ("(>1%)", "(more than 1 percent)", "threshold.error_rate", 0.01),
    ("resolve in 5 minutes", "resolve within 300s", "service_down.rollback_deadline_s", 300),
    ("resolve in 5 minutes", "resolve in 90 seconds", "service_down.rollback_deadline_s", 90),
    ("Platform Team (auto-paged)", "Platform Team - auto-paged", "escalation.primary", "Platform Team"),
])
def test_a_quantity_in_another_unit_or_word_is_its_value_in_the_suites_unit(tmp_path, old, new, claim, value):
    assert Runbook(_edited(tmp_path, old, new)).value(claim) == value


def test_edited_thresholds_and_symptoms_are_what_the_suite_reads(tmp_path):
    edited = _edited(tmp_path, "High Latency (p99 >500ms)", "High Latency (p99 >750ms)")
    assert runbook.p99_threshold_ms(edited) == 750
    edited = _edited(tmp_path, 'logs show "invalid token"', 'logs show "token rejected"')
    assert Runbook(edited).value("auth.symptom_log") == "token rejected"


@pytest.mark.parametrize("old,new,message", [
    ("### High Error Rate (>1%)", "### High Error Rate", "drift: section 'High Error Rate', claim threshold.error_rate: "
     "no text like 'High Error Rate (>1%)'; closest line: L28: 'High Error Rate'"),
    ('logs show "invalid token"', "logs show the rejection", "drift: section 'Authentication Failures', claim "
     "auth.symptom_log: no text like 'logs show \"invalid token\"'; closest line: L81: 'Symptoms: 401 errors, "
     "logs show the rejection'"),
    ("If rollback doesn't resolve in 5 minutes", "If rollback doesn't help", "claim service_down.rollback_deadline_s"),
    ("## Metrics to Monitor", "## Metrics", "no section 'Metrics to Monitor'; closest heading: L127: 'Metrics'"),
    ("(p99 >500ms)", "(p99 >500 furlongs)", "claim threshold.p99_ms: no text like 'High Latency (p99 >500ms)'"),
    ("(>1%)", "(>1 in 100)", "claim threshold.error_rate"),
])
def test_a_claim_whose_meaning_is_gone_is_drift_naming_section_claim_text_and_closest_line(tmp_path, old, new,
                                                                                            message):
    with pytest.raises(RunbookError) as error:
        Runbook(_edited(tmp_path, old, new))
    assert message in str(error.value) and "\n" not in str(error.value)


def test_a_metric_removed_from_the_list_is_not_drift_but_one_metric_fewer(tmp_path):
    edited = _edited(tmp_path, "- `redis_hits_total` - Cache hit rate", "")
    assert "redis_hits_total" not in Runbook(edited).metric_names() and len(Runbook(edited).metric_names()) == 4


def test_a_metric_added_to_the_list_is_claimed(tmp_path):
    edited = _edited(tmp_path, "- `redis_hits_total` - Cache hit rate",
                     "- `redis_hits_total` - Cache hit rate\n* `cache_evictions_total` - Keys evicted")
    assert Runbook(edited).claims["metric.cache_evictions_total"].value["meaning"] == "Keys evicted"


def test_a_claim_wrapped_over_two_lines_is_read_whole_and_anchored_at_its_first(tmp_path):
    edited = _edited(tmp_path, '**Symptoms**: 500 errors, logs show "connection refused"',
                     '**Symptoms**: 500 errors, logs show "connection\nrefused"')
    claim = Runbook(edited).claims["db.symptom_log"]
    assert claim.value == "connection refused" and claim.line == 67 and claim.text.endswith('"connection')


def test_a_section_keeps_its_sub_sections_as_written():
    text = Runbook().section_text("Health Checks")
    assert text.startswith("## Health Checks") and "### Readiness Probe" in text and "## Dependencies" not in text


def test_an_unreadable_runbook_is_a_one_line_error(tmp_path):
    with pytest.raises(RunbookError, match="cannot read the runbook"):
        Runbook(tmp_path / "missing.md")


@pytest.mark.parametrize("old,new,claim,value", [
    ('logs show "invalid token"', "logs show ‘invalid token’", "auth.symptom_log", "invalid token"),
    ("Checks: Database connectivity, Redis connectivity", "Checks: Database connectivity and Redis connectivity",
     "ready.checks", ["Database connectivity", "Redis connectivity"]),
    ("- Expected: 200 OK\n- Failure action: Restart pod", "- Expected: HTTP 200\n- Failure action: Restart pod",
     "live.expected", 200),
    ("- `redis_hits_total` - Cache hit rate", "1. `redis_hits_total` (Cache hit rate)", "metric.redis_hits_total",
     {"name": "redis_hits_total", "meaning": "Cache hit rate"}),
    ("- 2024-08-10: High latency from N+1 queries - Added eager loading",
     "- **2024-08-10** — High latency from N+1 queries — Added eager loading", "incident.2024-08-10",
     {"date": "2024-08-10", "title": "High latency from N+1 queries", "fix": "Added eager loading"}),
    ("### High Error Rate (>1%)", "### **High Error Rate** (&gt; 1 %) ###", "threshold.error_rate", 0.01),
])
def test_a_claim_written_in_other_words_of_the_same_meaning_reads_the_same(tmp_path, old, new, claim, value):
    assert Runbook(_edited(tmp_path, old, new)).value(claim) == value
