"""Profiles for tests of the bundled User API itself (never for the suite's scenarios):
its own seed command, where a test reads the users it makes (seed-N@example.test)."""

from runbook_drill.harness.stack.profile import ServiceProfile

REFERENCE_SEED = ("python", "-m", "services.user_api", "seed", "{count}")
WITH_REFERENCE_SEED = ServiceProfile(create_users=REFERENCE_SEED, source="the bundled User API with its seed command")


def reference_seed(stack, total: int) -> None:
    """Runs the bundled User API's own seed command in the first replica: `total` users
    seed-1..seed-N exist afterwards (a test of the reference's internals, not the suite's way)."""
    result = stack.replicas[0].exec([part.replace("{count}", str(total)) for part in REFERENCE_SEED])
    assert result.exit_code == 0, result.output.decode()[-300:]
