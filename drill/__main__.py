"""`python -m drill`: the same as the `drill` console script."""

import sys

from drill.cli import main

sys.exit(main())
