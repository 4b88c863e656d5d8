"""Progress of `drill setup` as a user sees it: on a terminal (a pty) a live line with
escapes, each finished task left printed; in a pipe (CI logs) plain timestamped lines on
stderr, stdout keeping the results."""

import os
import re
import select
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMMAND = [sys.executable, "-m", "runbook_drill", "setup"]


def _through_a_terminal(timeout: float = 300) -> tuple[int, str]:
    master, slave = os.openpty()
    proc = subprocess.Popen(COMMAND, cwd=ROOT, stdin=slave, stdout=slave, stderr=slave)
    os.close(slave)
    chunks, deadline = [], time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            elif proc.poll() is not None:
                break
    finally:
        os.close(master)
    return proc.wait(timeout=30), b"".join(chunks).decode(errors="replace")


def test_on_a_terminal_the_progress_is_a_live_line_and_finished_tasks_stay(session):
    code, text = _through_a_terminal()
    assert code == 0, text[-2000:]
    assert "\x1b[" in text  # the live line is drawn and cleared with escapes
    assert re.search(r"images: done \(\d+\.\ds\)", text) and "engine: " in text  # the results, too


def test_in_a_pipe_the_progress_is_plain_lines_on_stderr_and_stdout_keeps_the_results(session):
    done = subprocess.run(COMMAND, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "\x1b[" not in done.stderr and "\x1b[" not in done.stdout
    assert re.search(r"^\[\s*\d+\.\ds\] images: \d+ to resolve$", done.stderr, re.M)
    assert re.search(r"^\[\s*\d+\.\ds\] images: done$", done.stderr, re.M)
    assert "images:" not in done.stdout and "setup took" in done.stdout
