"""`drill report --merge`: shards of one plan joined into one report, JUnit file and
coverage table; a scenario missing or present twice, or unrelated runs, is one line, exit 2."""

import json
import xml.etree.ElementTree as ET

import pytest

from runbook_drill import cli
from runbook_drill.harness.errors import ConfigError
from runbook_drill.harness.report.merge import merge
from runbook_drill.harness.run import journal as journals
from runbook_drill.harness.run import shards
from runbook_drill.harness.runbook import RUNBOOK
from tests.support.journals import journal

SUITE = ["db-refused", "health-db-down", "auth-clock-skew", "metrics-contract", "incident-n-plus-one"]


def _shard_dirs(tmp_path, count=2, suite=SUITE, name="run", sides=("",), failing=()):
    """Writes `count` shard run directories of SUITE (each its plan, runbook and journals;
    per side of a release validation, with the `failing` scenarios failed on the candidate)."""
    seconds = {sid: 10.0 for sid in suite}
    dirs, split = [], shards.plan(suite, seconds, count)
    for index, ids in enumerate(split, start=1):
        run_dir = tmp_path / f"{name}-{index}"
        (run_dir / "journal").mkdir(parents=True)
        (run_dir / "runbook.md").write_text(RUNBOOK.read_text())
        shards.write_plan(run_dir, {"shard": index, "of": count, "suite": suite, "ids": ids, "split": split})
        for side in sides:
            for sid in ids:
                status = "failed" if side == "candidate" and sid in failing else "passed"
                record = journal(sid, status=status, symptom=False)
                journals.write(run_dir / side / "journal", record)
        dirs.append(run_dir)
    return dirs


def test_shards_of_one_plan_merge_into_every_scenario_in_the_suite_order(tmp_path):
    merged = merge(_shard_dirs(tmp_path, 3))
    assert [r.scenario for r in merged.records] == SUITE and merged.shards == 3


def test_a_scenario_missing_from_every_shard_is_named(tmp_path):
    dirs = _shard_dirs(tmp_path, 2)
    lost = next((dirs[1] / "journal").glob("*.json"))
    lost.unlink()
    with pytest.raises(ConfigError, match=f"scenario {lost.stem} is missing from every shard"):
        merge(dirs)


def test_a_scenario_in_two_shards_is_named(tmp_path):
    dirs = _shard_dirs(tmp_path, 2)
    extra = next((dirs[0] / "journal").glob("*.json"))
    (dirs[1] / "journal" / extra.name).write_text(extra.read_text())
    with pytest.raises(ConfigError, match=f"scenario {extra.stem} is in two shards"):
        merge(dirs)


def test_shards_of_different_plans_are_unrelated_runs(tmp_path):
    one = _shard_dirs(tmp_path, 2, name="a")
    other = _shard_dirs(tmp_path, 3, name="b")
    with pytest.raises(ConfigError, match="unrelated runs"):
        merge([one[0], other[1]])


@pytest.mark.parametrize("how", ["no plan", "twice", "not a directory"])
def test_a_directory_that_is_no_shard_of_the_plan_is_refused(tmp_path, how):
    dirs = _shard_dirs(tmp_path, 2)
    if how == "no plan":
        (dirs[1] / shards.SHARD_FILE).unlink()
    given = [dirs[0], dirs[0]] if how == "twice" else dirs + [tmp_path / "nowhere"] if how == "not a directory" \
        else dirs
    with pytest.raises(ConfigError):
        merge(given)


def test_the_merged_run_has_one_report_junit_and_the_coverage_of_one_run(tmp_path, capsys):
    dirs = _shard_dirs(tmp_path, 3)
    out = tmp_path / "merged"
    code = cli.main(["report", "--merge", *map(str, dirs), "--out", str(out), "--summary-md", str(tmp_path / "s.md")])
    assert code == 0
    cases = ET.parse(out / "junit.xml").getroot().findall("testcase")
    assert [c.get("name") for c in cases] == SUITE
    assert sorted(p.stem for p in (out / "journal").glob("*.json")) == sorted(SUITE)
    assert "coverage:" in capsys.readouterr().out and (out / "index.html").stat().st_size > 0
    assert json.loads((out / "merged.json").read_text())["shards"] == [d.name for d in dirs]
    assert "`incident-n-plus-one`" in (tmp_path / "s.md").read_text()


def test_a_bad_merge_on_the_command_line_is_one_line_and_exit_2(tmp_path, capsys):
    dirs = _shard_dirs(tmp_path, 2)
    assert cli.main(["report", "--merge", str(dirs[0]), "--out", str(tmp_path / "m")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "missing from every shard" in err
    assert not (tmp_path / "m").exists()


def test_shards_of_a_release_validation_merge_per_side_and_are_compared_again(tmp_path, capsys):
    dirs = _shard_dirs(tmp_path, 2, sides=("baseline", "candidate"), failing=("auth-clock-skew",))
    out = tmp_path / "merged"
    assert cli.main(["report", "--merge", *map(str, dirs), "--out", str(out), "--junit", str(tmp_path / "j.xml")]) == 1
    assert "WORSE   " in capsys.readouterr().out and "WORSE " in (out / "comparison.txt").read_text()
    for side in ("baseline", "candidate"):
        assert len(ET.parse(out / side / "junit.xml").getroot().findall("testcase")) == len(SUITE)
    failed = ET.parse(tmp_path / "j.xml").getroot().findall("testcase/failure/..")
    assert [c.get("name") for c in failed] == ["auth-clock-skew"]


def test_release_shards_and_plain_shards_do_not_merge(tmp_path):
    release = _shard_dirs(tmp_path, 2, name="r", sides=("baseline", "candidate"))
    plain = _shard_dirs(tmp_path, 2, name="p")
    with pytest.raises(ConfigError, match="some shards are release validations"):
        merge([release[0], plain[1]])


def test_shards_of_one_count_but_another_split_are_refused(tmp_path):
    dirs = _shard_dirs(tmp_path, 2)
    plan = json.loads((dirs[1] / shards.SHARD_FILE).read_text())
    plan["split"] = [plan["split"][1], plan["split"][0]]
    shards.write_plan(dirs[1], plan)
    with pytest.raises(ConfigError, match="shards of different splits"):
        merge(dirs)
