"""drill owns SIGINT and SIGTERM whatever disposition it inherited."""

import signal
import subprocess
import sys
import textwrap

CHILD = textwrap.dedent("""
    import os, signal, sys, time
    from runbook_drill.harness import signals
    signals.install()
    try:
        os.kill(os.getpid(), getattr(signal, sys.argv[1]))
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            time.sleep(0.01)
        print("not interrupted")
    except KeyboardInterrupt:
        try:
            os.kill(os.getpid(), signal.SIGINT)  # a second Ctrl-C during cleanup
        finally:
            print("cleanup finished")
        sys.exit(signals.exit_code())
""")


def _run(signame: str, ignore_sigint: bool) -> subprocess.CompletedProcess:
    def preexec():
        if ignore_sigint:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
    return subprocess.run([sys.executable, "-c", CHILD, signame], capture_output=True, text=True, timeout=30,
                          preexec_fn=preexec)


def test_sigint_inherited_as_ignored_still_interrupts_and_exits_130():
    result = _run("SIGINT", ignore_sigint=True)
    assert result.returncode == 130, result.stderr
    assert "cleanup finished" in result.stdout and "not interrupted" not in result.stdout


def test_a_second_sigint_during_cleanup_does_not_cut_the_cleanup_short():
    result = _run("SIGINT", ignore_sigint=False)
    assert "cleanup finished" in result.stdout
    assert "still cleaning up" in result.stderr


def test_sigterm_exits_143():
    result = _run("SIGTERM", ignore_sigint=True)
    assert result.returncode == 143, result.stderr
    assert "not interrupted" not in result.stdout
