"""`drill`: the command line of runbook-drill - one parser, the dispatch, and every
error as an exit code.

Every error the user can cause or meet is one line on stderr and a non-zero exit:
2 for bad input, runbook drift or no engine, 3 when the harness could not do its job,
1 when the system deviated, 130/143 on Ctrl-C/SIGTERM (after cleanup has run)."""

from __future__ import annotations

import argparse
import logging
import sys

from runbook_drill import catalog, contract, gameday, mutate, platform, suite
from runbook_drill.harness import progress, signals
from runbook_drill.harness.errors import DrillError
from runbook_drill.harness.settings import IMAGE_POLICIES, load_settings
from runbook_drill.options import RunOptions

MODULES = (platform, suite, contract, gameday, mutate, catalog)  # the order `drill --help` lists their commands in
COMMANDS = {name: command for module in MODULES for name, command in module.COMMANDS.items()}


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line (no usage dump) and exit 2."""

    def error(self, message: str):
        self.exit(2, f"drill: error: {message} (see `drill --help`)\n")


def parser() -> argparse.ArgumentParser:
    """Returns `drill`'s parser: the global options, then every command's subparser."""
    top = OneLineParser(prog="drill", description="Prove the User API runbook true.")
    top.add_argument("--image-policy", choices=IMAGE_POLICIES,
                     help="auto: local, else pull, else build offline; offline: never pull; local: no pull/build")
    top.add_argument("--pull-timeout", type=float, help="seconds a pull may go without progress")
    top.add_argument("--engine-timeout", type=float, help="seconds to wait for a started dockerd")
    top.add_argument("-v", "--verbose", action="store_true", help="log what the harness does")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in MODULES:
        module.add_parsers(sub)
    return top


def _reporter(command):
    """An interactive command (a game day asks for Enter) gets plain lines: a live line
    redrawn under a prompt would hide it."""
    return progress.Plain(sys.stderr) if getattr(command, "interactive", False) else progress.for_stream(sys.stderr)


def parse_options(argv: list[str] | None = None) -> RunOptions:
    """Returns the validated options of `drill ARGV...`; argparse exits 2 on an option
    drill does not have, ConfigError (exit 2) for options that contradict."""
    return RunOptions.from_namespace(parser().parse_args(argv))


def main(argv: list[str] | None = None) -> int:
    """Runs one `drill` command; returns the process exit code."""
    namespace = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if namespace.verbose else logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    signals.install()
    try:
        options = RunOptions.from_namespace(namespace)  # parsed once: every command takes these
        settings = load_settings(options.settings_flags())
        command = COMMANDS[options.command]
        with progress.use(_reporter(command)):
            return command(settings, options)
    except DrillError as exc:
        for line in str(exc).splitlines() or [""]:  # several errors (a team's scenario files): a line each
            print(f"drill: error: {line}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("drill: interrupted; cleanup done", file=sys.stderr)
        return signals.exit_code()
    except signals.Aborted as exc:
        print(f"drill: {exc}; everything healed, cleanup done", file=sys.stderr)
        return signals.exit_code()


if __name__ == "__main__":
    sys.exit(main())
