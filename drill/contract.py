"""`drill contract`: the pre-flight of a User API image - started with its dependencies
as its profile says, every contract line that needs no chaos checked, and a table of
line, result and evidence. Exit 0 all met, 1 some unmet, 2 bad input. `drill run
--user-api-image` runs it first (`ensure_drivable`): a line the suite needs to drive the
image unmet stops the run (exit 3); an unmet runbook line is a deviation: a failed case
of the run (`contract`, in its journal, JUnit and report), and the scenarios that judge
it too run as well."""

from __future__ import annotations

import time

from runbook_drill.runs import add_profile_arguments, engine_session, profile_of, require_image, runbook_of
from runbook_drill.harness.errors import HarnessError


def check(session, image: str | None, profile, runbook) -> list:
    """Returns the pre-flight Results of `image` (None: the bundled User API)."""
    from runbook_drill.harness.contract.preflight import preflight
    from runbook_drill.harness.stack import Stack
    from runbook_drill.scenarios.common import SUITE_KNOBS

    return preflight(session, image, profile, SUITE_KNOBS, runbook.metric_names(), Stack)


def print_table(image: str | None, results: list, seconds: float) -> None:
    from runbook_drill.harness.contract.preflight import render

    unmet = sum(not r.met for r in results)
    print(f"contract of {image or 'the bundled User API'}: {len(results) - unmet} of {len(results)} lines met "
          f"in {seconds:.0f}s (docs/contract.md)")
    print(render(results), flush=True)


def ensure_drivable(session, image: str, profile, runbook, run: set[str] = frozenset()):
    """Runs the pre-flight on `image`; raises HarnessError (a harness verdict: the suite
    cannot drive it, not "the system deviated") when a line the suite needs to drive it
    is unmet, after printing the table. Returns the run's failed `contract` case (a
    ScenarioRecord) when a runbook line is unmet (a deviation: the run cannot pass), naming which of the
    scenarios in `run` judge it as well; None when every line is met."""
    from runbook_drill.harness.contract.preflight import judged_elsewhere, unmet_record

    started, began = time.monotonic(), time.time()
    results = check(session, image, profile, runbook)
    if all(r.met for r in results):
        print(f"contract of {image}: all {len(results)} pre-flight lines met in {time.monotonic() - started:.0f}s")
        return None
    print_table(image, results, time.monotonic() - started)
    blocking = [r.line.id for r in results if not r.met and r.line.drives]
    if blocking:
        raise HarnessError(f"{image} does not meet the contract ({', '.join(blocking)}): the suite cannot drive it; "
                           "see the table above and docs/contract.md")
    for line_id, judges in judged_elsewhere(results, set(run)).items():
        also = f"; the run's {', '.join(judges)} judge it too" if judges else ""
        print(f"unmet runbook line {line_id}: a failed case of this run (contract){also}", flush=True)
    return unmet_record(results, image, began, time.time())


def cmd_contract(settings, options) -> int:
    """Exit 0 when every pre-flight line is met, 1 when one is not."""
    runbook, profile = runbook_of(options), profile_of(options)
    with engine_session(settings) as session:
        if options.user_api_image:
            require_image(session, options.user_api_image)
        started = time.monotonic()
        results = check(session, options.user_api_image, profile, runbook)
        print_table(options.user_api_image, results, time.monotonic() - started)
    return 0 if all(r.met for r in results) else 1


def add_parsers(sub) -> None:
    """Adds `contract` to the `drill` parser."""
    contract = sub.add_parser("contract", help="pre-flight a User API image against the contract (docs/contract.md)")
    contract.add_argument("--user-api-image", metavar="REF", help="the image (default: the bundled User API)")
    contract.add_argument("--runbook", metavar="PATH", help="the runbook whose metrics it must export")
    add_profile_arguments(contract)


COMMANDS = {"contract": cmd_contract}
