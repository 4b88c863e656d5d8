"""`drill history`: per scenario across stored runs, the verdicts and times the release
comparison reads; a verdict that changed between runs of the same image is flaky; --keep
prunes the oldest runs."""

import json

from runbook_drill import cli
from runbook_drill.harness.report import trends
from runbook_drill.harness.run import journal as journals
from tests.support.journals import journal


def _run(reports, name, image_id, status, start=1_000_000.0):
    run_dir = reports / name
    record = journal("db-refused", status=status)
    record.start += start - 1_000_000.0
    journals.write(run_dir / "journal", record)
    (run_dir / "run.json").write_text(json.dumps({"image": "bundled", "image_id": image_id}))
    return run_dir


def test_a_verdict_that_changed_on_the_same_image_is_flaky(tmp_path):
    _run(tmp_path, "20260101-000000-1", "sha256:a", "passed", 1)
    _run(tmp_path, "20260102-000000-1", "sha256:a", "failed", 2)
    _run(tmp_path, "20260103-000000-1", "sha256:b", "passed", 3)
    [trend] = trends.collect(tmp_path)
    assert [p.status for p in trend.points] == ["passed", "failed", "passed"]
    assert trend.flaky_images == ["sha256:a"] and [p.flaky for p in trend.points] == [True, True, False]
    assert trend.points[0].detection_s is not None and trend.points[0].steady_p99_ms is not None


def test_a_verdict_that_changed_with_the_image_is_not_flaky(tmp_path):
    _run(tmp_path, "20260101-000000-1", "sha256:a", "passed", 1)
    _run(tmp_path, "20260102-000000-1", "sha256:b", "failed", 2)
    assert not any(p.flaky for p in trends.collect(tmp_path)[0].points)


def test_shards_a_merged_run_holds_are_not_counted_twice(tmp_path):
    _run(tmp_path, "20260101-000000-1", "sha256:a", "passed")
    merged = _run(tmp_path, "20260101-000100-1-merged", "sha256:a", "passed")
    (merged / "merged.json").write_text(json.dumps({"shards": ["20260101-000000-1"]}))
    assert len(trends.collect(tmp_path)[0].points) == 1


def test_history_writes_the_page_and_json_and_keep_prunes_the_oldest(tmp_path, capsys):
    for day in (1, 2, 3):
        _run(tmp_path, f"2026010{day}-000000-1", "sha256:a", "passed", day)
    assert cli.main(["history", "--reports", str(tmp_path), "--keep", "2"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["20260102-000000-1", "20260103-000000-1"]
    data = json.loads((tmp_path / "history.json").read_text())
    assert len(data["scenarios"][0]["points"]) == 2 and "plotly" in (tmp_path / "history.html").read_text()[:100000]
    assert "pruned 1 run(s)" in capsys.readouterr().out


def test_history_of_a_directory_without_runs_is_one_line_and_exit_2(tmp_path, capsys):
    assert cli.main(["history", "--reports", str(tmp_path)]) == 2
    assert cli.main(["history", "--reports", str(tmp_path / "none")]) == 2
    assert capsys.readouterr().err.count("\n") == 2
