"""Progress reporters: plain timestamped lines off a terminal (each change once, the
outcome at the end), a live line on one, and the silent default outside the CLI."""

import io
import re

import pytest

from runbook_drill.harness import progress


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_plain_lines_carry_the_elapsed_time_and_each_change_once():
    out = io.StringIO()
    reporter = progress.Plain(out)
    reporter.begin("scenario 1/31 db-refused", "reset")
    reporter.update("steady state")
    reporter.update("steady state")
    reporter.end("passed")
    lines = out.getvalue().splitlines()
    assert [re.sub(r"^\[\s*[\d.]+s\] ", "", line) for line in lines] == [
        "scenario 1/31 db-refused: reset", "scenario 1/31 db-refused: steady state", "scenario 1/31 db-refused: passed"]
    assert all(re.match(r"^\[\s*\d+\.\ds\] ", line) for line in lines)


def test_a_task_that_raises_is_reported_failed_and_the_error_goes_on():
    out = io.StringIO()
    with progress.use(progress.Plain(out)):
        with pytest.raises(RuntimeError):
            with progress.task("images", "9 to resolve"):
                raise RuntimeError("no mirror")
    assert out.getvalue().splitlines()[-1].endswith("images: failed: RuntimeError")


def test_a_terminal_gets_a_live_line_and_each_end_stays_printed():
    out = Terminal()
    reporter = progress.for_stream(out)
    assert isinstance(reporter, progress.Live)
    with progress.use(reporter):
        with progress.task("engine", "starting dockerd"):
            pass
    text = out.getvalue()
    assert "\x1b[" in text and re.search(r"engine: done \(\d+\.\ds\)", text)


def test_off_a_terminal_the_lines_are_plain_and_without_escapes():
    out = io.StringIO()
    assert isinstance(progress.for_stream(out), progress.Plain) and not isinstance(progress.for_stream(out),
                                                                                   progress.Live)


def test_outside_the_cli_nothing_is_reported_and_use_restores_the_previous_reporter():
    assert isinstance(progress.current(), progress.Silent) and type(progress.current()) is progress.Silent
    with progress.use(progress.Plain(io.StringIO())) as reporter:
        assert progress.current() is reporter
    assert type(progress.current()) is progress.Silent
