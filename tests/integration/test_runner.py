"""The runner on the real stack: a runbook claim that holds passes, one that does not
fails, a fault that cannot be applied is an error - and the journal says why."""

import json


from runbook_drill.harness import checks as c
from runbook_drill.harness.faults import make
from runbook_drill.harness.faults.base import Fault, FaultNotApplied
from runbook_drill.harness.observe.generator import LoadSpec
from runbook_drill.harness.run.runner import run_scenario
from runbook_drill.harness.run.scenario import Scenario
from tests.support.stacks import module_stack, reset_before_each_test


stack = module_stack(replicas=2, seed_users=300, with_lb=True)
fresh = reset_before_each_test()


LOAD = LoadSpec(clients=3, user_ids=300)


def _db_refused(during_extra=()):
    return Scenario(
        id="db-connection-refused", runbook="Database Connection Failures",
        fault=lambda: make("dependency_refused", dependency="postgres"), load=LOAD,
        steady=[c.error_rate("steady", below=0.01), c.probe_status("replica-0", "/health/ready", 200, "steady")],
        during=[c.probe_status("replica-0", "/health/ready", 503, "fault_steady"),
                c.probe_status("replica-0", "/health/live", 200, "fault_steady"),
                c.probe_status("lb", "/health/ready", 503, "fault_steady"),
                c.error_rate("fault_steady", above=0.01),
                c.log_line(c.REPLICAS, "ERROR", "connection refused", "fault"), *during_extra],
        remediation=lambda st: [st.restart(r) for r in st.replicas], remediation_name="restart user-api pods",
        after=[c.probe_status_within("lb", "/health/ready", 200, "recovery", 10),
               c.error_rate("recovery", below=0.01)],
        steady_s=1.5, fault_s=3, recovery_s=3)


def test_a_claim_that_holds_passes_with_a_full_journal(stack, tmp_path):
    record = run_scenario(stack, _db_refused(), tmp_path)
    assert record.status == "passed", [v for v in record.verdicts if v.status != "pass"]
    journal = json.loads((tmp_path / "db-connection-refused.json").read_text())
    names = [a["name"] for a in journal["activities"]]
    assert names == ["inject dependency_refused", "heal dependency_refused (root cause fixed)",
                     "remediation: restart user-api pods", "final heal dependency_refused"]
    assert all(a["end"] >= a["start"] and not a["error"] for a in journal["activities"])
    assert journal["fault"]["evidence"]["proxy"]["enabled"] is False
    assert set(journal["history"]["windows"]) >= {"steady", "fault", "fault_onset", "fault_steady", "recovery"}
    assert {e["kind"] for e in journal["history"]["events"]} >= {"probe", "request", "metrics", "log", "fault"}


def test_a_claim_the_system_does_not_keep_fails_with_its_evidence(stack, tmp_path):
    wrong = c.error_rate("fault_steady", below=0.01)  # the runbook says the opposite
    record = run_scenario(stack, _db_refused(during_extra=[wrong]), tmp_path)
    assert record.status == "failed"
    failed = [v for v in record.verdicts if v.status == "fail"]
    assert [v.check for v in failed] == ["error rate < 1.0%"]
    assert failed[0].evidence["error_rate"] > 0.01


class _NeverApplies(Fault):
    kind = "never_applies"

    def _apply(self, stack):
        pass

    def _verify(self, stack):
        raise FaultNotApplied("the fault could not be read back")

    def heal(self, stack):
        self.healed = True


def test_a_fault_that_cannot_be_verified_is_an_error_not_a_verdict_and_is_still_healed(stack, tmp_path):
    fault = _NeverApplies()
    scenario = Scenario(id="unappliable", runbook="-", fault=lambda: fault, during=[c.error_rate("fault", above=0.01)],
                        load=None, steady_s=0.2, fault_s=0.2, recovery_s=0.2)
    record = run_scenario(stack, scenario, tmp_path)
    assert record.status == "error" and "could not be read back" in record.error
    assert fault.healed
    assert record.activities[-1].name == "final heal never_applies"


def test_locust_can_be_the_generator_and_its_records_reach_the_checks(stack, tmp_path):
    from runbook_drill.load.generator import LocustSpec

    scenario = _db_refused()
    scenario.id, scenario.load = "db-refused-locust", LocustSpec(users=6, workers=1, user_ids=300)
    record = run_scenario(stack, scenario, tmp_path)
    assert record.status == "passed", [v for v in record.verdicts if v.status != "pass"]
    requests_seen = [e for e in record.history["events"] if e["kind"] == "request"]
    assert len(requests_seen) > 50 and {e["data"]["method"] for e in requests_seen} >= {"GET"}


def test_a_scenario_that_fails_once_is_flaky_after_a_rerun_on_a_fresh_reset(stack, tmp_path):
    from runbook_drill.harness.checks.base import FAIL, PASS, Check
    from runbook_drill.harness.run import journal as journals
    from runbook_drill.harness.run.suite import rerun

    attempts = []  # the fault window of each attempt, as the check saw it

    def first_time_wrong(history, window):  # a test hook: the claim fails on the first attempt only
        if window.start not in attempts:
            attempts.append(window.start)
        return (FAIL if window.start == attempts[0] else PASS), {"attempt": attempts.index(window.start) + 1}

    scenario = _db_refused(during_extra=[Check("fails on the first attempt only", "fault", first_time_wrong)])
    first = run_scenario(stack, scenario, tmp_path)
    assert first.status == "failed"
    final = rerun(stack, scenario, tmp_path, first, reruns=2)
    assert final.status == "flaky" and len(final.attempts) == 1 and len(attempts) == 2
    assert journals.read(tmp_path / "attempts" / "db-connection-refused.1.json").status == "failed"
    assert journals.read(tmp_path / "db-connection-refused.json").attempts[0]["status"] == "failed"
    assert final.start > first.end  # the rerun ran after the first attempt, on the reset stack
