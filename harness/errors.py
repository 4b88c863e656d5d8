"""Named errors of the harness, each with the exit code the CLI turns it into.

"The harness broke" (an image could not be built, the engine did not answer) is kept
apart from "the system deviated from the runbook", which is a verdict, not an error.
"""


class DrillError(Exception):
    """Base of every error the CLI reports as one line; `exit_code` is what it exits with."""

    exit_code = 1


class ConfigError(DrillError):
    """A setting (CLI flag, environment variable or drill.toml) has a bad value."""

    exit_code = 2


class EngineUnavailable(DrillError):
    """No Docker engine answers and none can be installed or started here."""

    exit_code = 2


class ImageUnavailable(DrillError):
    """An image is neither local, nor pullable, nor buildable offline."""

    exit_code = 3


class HarnessError(DrillError):
    """The harness itself failed (a container did not start, a fault was not applied)."""

    exit_code = 3
