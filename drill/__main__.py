"""`python -m runbook_drill`: the same as the `drill` console script."""

import sys

from runbook_drill.cli import main

sys.exit(main())
