"""RunOptions: the command line parsed once, validated, frozen - one field per option of
the parser, and nothing in drill/ reading argparse's Namespace."""

import argparse
import dataclasses
from pathlib import Path

import pytest

from runbook_drill import cli
from runbook_drill.harness.errors import ConfigError
from runbook_drill.options import RunOptions

DRILL = Path(__file__).resolve().parents[3] / "drill"


def _destinations(parser: argparse.ArgumentParser) -> set[str]:
    found = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            found.add(action.dest)  # the command's name
            for sub in action.choices.values():
                found |= _destinations(sub)
        elif action.dest != "help":
            found.add(action.dest)
    return found


def test_every_option_of_the_parser_is_a_field_and_every_field_an_option():
    assert _destinations(cli.parser()) == {f.name for f in dataclasses.fields(RunOptions)}


def test_a_parsed_command_line_is_typed_and_frozen():
    options = cli.parse_options(["run", "db-refused", "auth-clock-skew", "--junit", "j.xml", "--stop-when",
                                 "down for 300s", "--user-api-env", "A=1"])
    assert options.ids == ("db-refused", "auth-clock-skew") and options.junit == Path("j.xml")
    assert options.stop_when == ("down for 300s",) and options.user_api_env == ("A=1",)
    assert options.repeat == 1 and options.target == "harness" and options.runbook is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.repeat = 2


@pytest.mark.parametrize("argv, message", [
    (["run", "--baseline-image", "old:1"], "--baseline-image compares a candidate"),
    (["run", "--shard", "4/3"], "--shard 4/3"),
    (["run", "--shard", "two"], "--shard 'two'"),
])
def test_options_that_contradict_are_one_line_before_anything_starts(argv, message):
    with pytest.raises(ConfigError, match=message):
        cli.parse_options(argv)


def test_the_cli_exits_2_with_one_line_for_contradicting_options(capsys):
    assert cli.main(["run", "--baseline-image", "old:1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("drill: error: --baseline-image")


def test_no_command_reads_the_namespace():
    readers = [f"{path.name}: {line.strip()}" for path in sorted(DRILL.glob("*.py")) if path.name != "options.py"
               for line in path.read_text().splitlines()
               if "Namespace" in line or "getattr(options" in line or "getattr(args" in line]
    assert readers == []
