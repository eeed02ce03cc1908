"""`python -m actions.catalog`: see cli.py (kept apart so importing the package never runs it)."""

import sys

from actions.catalog.cli import main

sys.exit(main(sys.argv))
