"""`python -m tools.conformance.node_lab.units serve|exec ...`."""

import sys

from .daemon import main

sys.exit(main())
