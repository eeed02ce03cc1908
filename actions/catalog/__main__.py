"""`python -m actions.catalog`: see cli.py.

The guard matters: the action server (rasa_sdk) imports every module of the actions package,
this one included, and must not run the command line when it does."""

import sys

from actions.catalog.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv))
