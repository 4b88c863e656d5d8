"""The image cache's bad input: a directory that is not a cache is one line, exit 2,
before any engine is asked."""

import json

import pytest

from runbook_drill import cli
from runbook_drill.harness.engine import cache
from runbook_drill.harness.errors import ConfigError


@pytest.mark.parametrize("make", ["missing", "empty", "other format", "no archive"])
def test_a_directory_that_is_not_an_image_cache_is_refused(tmp_path, make):
    target = tmp_path / "cache"
    if make != "missing":
        target.mkdir()
    if make in ("other format", "no archive"):
        (target / cache.INDEX).write_text(json.dumps({"format": 99 if make == "other format" else cache.FORMAT}))
    with pytest.raises(ConfigError) as caught:
        cache.read_index(target)
    assert str(caught.value).startswith(f"--load {target}") and "\n" not in str(caught.value)


def test_loading_a_directory_that_is_not_a_cache_exits_2_in_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("runbook_drill.harness.engine.daemon.ensure_engine", lambda *a, **k: pytest.fail("engine asked"))
    assert cli.main(["images", "--load", str(tmp_path)]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_save_and_load_together_are_refused(tmp_path, capsys):
    with pytest.raises(SystemExit) as caught:
        cli.main(["images", "--save", str(tmp_path), "--load", str(tmp_path)])
    assert caught.value.code == 2
