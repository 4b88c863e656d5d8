from runbook_drill.harness.engine.resources import RUN_ID, leftovers
from runbook_drill.harness.engine.smoke import run_smoke


def test_the_smoke_run_queries_postgres_pings_redis_and_leaves_nothing(session):
    result = run_smoke(session)
    failed = [step for step in result.steps if not step.ok]
    assert not failed, failed
    assert [step.name for step in result.steps] == ["postgres: query", "redis: ping", "cleanup: nothing left"]
    assert "read back 'runbook-drill'" in result.steps[0].observed
    assert leftovers(session.client, RUN_ID) == []
