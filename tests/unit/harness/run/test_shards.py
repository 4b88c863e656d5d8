"""Shards: a deterministic split of the suite that covers every scenario once for any N,
balanced by the durations earlier runs' JUnit files recorded (a built-in estimate without them); bad K/N is one line."""

from dataclasses import replace
import pytest

from runbook_drill import scenarios
from runbook_drill.harness.errors import ConfigError
from runbook_drill.harness.run import shards
from runbook_drill.harness.report import junit
from runbook_drill.harness.runbook import Runbook
from tests.support.journals import START, journal


@pytest.fixture(scope="module")
def suite():
    return scenarios.build(Runbook())


@pytest.mark.parametrize("text", ["3/2", "0/3", "1/0", "x", "2", "-1/3", ""])
def test_a_shard_that_is_not_k_of_n_is_refused_in_one_line(text):
    with pytest.raises(ConfigError) as caught:
        shards.Shard.parse(text)
    assert "\n" not in str(caught.value) and "--shard" in str(caught.value)


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5])
def test_the_shards_of_the_suite_hold_every_scenario_once_in_the_suite_order(suite, count):
    ids = [s.id for s in suite]
    taken = [shards.take(suite, shards.Shard(k, count), {})[0] for k in range(1, count + 1)]
    every = [s.id for shard in taken for s in shard]
    assert sorted(every) == sorted(ids) and len(every) == len(set(every))
    for shard in taken:
        assert [s.id for s in shard] == [i for i in ids if i in {s.id for s in shard}]


@pytest.mark.parametrize("count", [2, 3, 5])
def test_each_shard_takes_about_its_share_of_the_expected_time(suite, count):
    seconds = shards.durations(suite, {})
    plan = shards.plan([s.id for s in suite], seconds, count)
    loads = [sum(seconds[i] for i in shard) for shard in plan]
    assert max(loads) <= sum(loads) / count + max(seconds.values())


def test_the_split_is_the_same_on_every_runner(suite):
    seconds = shards.durations(suite, {"db-refused": 40.0})
    assert shards.plan([s.id for s in suite], seconds, 3) == shards.plan([s.id for s in suite], dict(seconds), 3)


def test_recorded_durations_outweigh_the_estimate_and_move_a_scenario(suite, tmp_path):
    ids = [s.id for s in suite]
    for run, seconds in (("r1", 300.0), ("r2/candidate", 320.0), ("r3", 10.0)):
        (tmp_path / run).mkdir(parents=True)
        (tmp_path / run / "junit.xml").write_text(junit.render([replace(journal(ids[0]), end=START + seconds)]))
    (tmp_path / "r4").mkdir()
    (tmp_path / "r4" / "junit.xml").write_text("<testsuite><testcase name=")
    recorded = shards.recorded_durations(tmp_path)
    assert recorded == {ids[0]: 300.0}
    plan = shards.plan(ids, shards.durations(suite, recorded), 2)
    alone = next(shard for shard in plan if ids[0] in shard)
    assert sum(shards.durations(suite, recorded)[i] for i in alone) >= 300.0
    assert len(alone) < len(ids) / 2


def test_without_journals_each_scenario_has_its_built_in_estimate(suite):
    assert all(shards.estimate(s) > shards.RESET_S for s in suite)
    assert shards.durations(suite, {}) == {s.id: shards.estimate(s) for s in suite}


def test_a_shards_own_run_does_not_move_the_split_of_the_shards_after_it(suite, tmp_path):
    ids = [s.id for s in suite]
    (tmp_path / "shard-1").mkdir()
    (tmp_path / "shard-1" / "junit.xml").write_text(junit.render([replace(journal(ids[0]), end=START + 999.0)]))
    (tmp_path / "shard-1" / shards.SHARD_FILE).write_text("{}")
    assert shards.recorded_durations(tmp_path) == {}
