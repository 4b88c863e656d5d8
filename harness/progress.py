"""Progress of everything long - the engine install, each image build, the suite's
scenarios and their phases - so nobody waits minutes in silence. On a terminal a live
line (rich) shows the task, what it is doing and for how long; elsewhere (CI logs,
pipes) each change is one plain timestamped line. Progress goes to stderr: stdout keeps
the results.

One reporter per process: the CLI installs one with `use()`; library code reports to
`current()`, which is silent until then (tests, embedding)."""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from typing import IO, Iterator


class Silent:
    """Reports nothing (the default)."""

    def begin(self, task: str, detail: str = "") -> None: ...

    def update(self, detail: str) -> None: ...

    def end(self, outcome: str = "done") -> None: ...

    def close(self) -> None: ...


class Plain(Silent):
    """One line per change: `[   12.3s] task: detail` (elapsed since the task began)."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream, self.task, self.detail, self.started = stream, "", "", time.monotonic()
        self._lock = threading.Lock()

    def _line(self, text: str) -> None:
        with self._lock:
            self.stream.write(f"[{time.monotonic() - self.started:7.1f}s] {text}\n")
            self.stream.flush()

    def begin(self, task: str, detail: str = "") -> None:
        self.task, self.detail, self.started = task, detail, time.monotonic()
        self._line(f"{task}: {detail}" if detail else task)

    def update(self, detail: str) -> None:
        if detail != self.detail:  # a repeated step is not news
            self.detail = detail
            self._line(f"{self.task}: {detail}")

    def end(self, outcome: str = "done") -> None:
        self._line(f"{self.task}: {outcome}")
        self.task, self.detail = "", ""


class Live(Plain):
    """A live line on a terminal: spinner, task, detail, elapsed; each task's end stays
    printed above it."""

    def __init__(self, stream: IO[str]) -> None:
        from rich.console import Console
        from rich.live import Live as RichLive

        super().__init__(stream)
        self.console = Console(file=stream, force_terminal=True)
        # stdout is routed above the live line only when it shares the terminal.
        self.live = RichLive(console=self.console, refresh_per_second=4, transient=True,
                             get_renderable=self._render, redirect_stdout=sys.stdout.isatty(), redirect_stderr=False)
        self.live.start()

    def _render(self):
        from rich.spinner import Spinner

        if not self.task:
            return ""
        text = f"{self.task}: {self.detail}  ({time.monotonic() - self.started:.1f}s)"
        return Spinner("dots", text=text)

    def begin(self, task: str, detail: str = "") -> None:
        self.task, self.detail, self.started = task, detail, time.monotonic()

    def update(self, detail: str) -> None:
        self.detail = detail

    def end(self, outcome: str = "done") -> None:
        self.live.console.print(f"{self.task}: {outcome} ({time.monotonic() - self.started:.1f}s)",
                                highlight=False, markup=False)
        self.task, self.detail = "", ""

    def close(self) -> None:
        self.live.stop()


_current: Silent = Silent()


def current() -> Silent:
    """Returns the process's reporter (Silent unless a CLI installed one)."""
    return _current


def for_stream(stream: IO[str] = sys.stderr) -> Silent:
    """Returns a live reporter when `stream` is a terminal, else the plain one."""
    return Live(stream) if stream.isatty() else Plain(stream)


@contextlib.contextmanager
def use(reporter: Silent) -> Iterator[Silent]:
    """Installs `reporter` for the duration; closes it after (the live line is cleared)."""
    global _current
    previous, _current = _current, reporter
    try:
        yield reporter
    finally:
        _current = previous
        reporter.close()


@contextlib.contextmanager
def task(name: str, detail: str = "") -> Iterator[Silent]:
    """Reports a task from begin to end ("failed: <error>" when it raises)."""
    reporter = current()
    reporter.begin(name, detail)
    try:
        yield reporter
    except BaseException as exc:
        reporter.end(f"failed: {type(exc).__name__}")
        raise
    reporter.end()
