"""`python -m conformance.cli`: the `conformance` command."""

import sys

from conformance.cli import main

sys.exit(main())
