"""A quiet start: Python deprecation notices raised inside Rasa's dependencies are dropped.

`make run` printed pages of them (pkg_resources, distutils in sanic_cors, pyparsing names in
matplotlib, SQLAlchemy 2.0 notices in Rasa's tracker store): nothing a user of this project
can act on, and they hide our own progress lines and real problems. A PYTHONWARNINGS filter
cannot do it: importing sanic puts "show every DeprecationWarning once" in front of all
filters, and Rasa's command line puts "show every UserWarning once" in front when it starts
(pyparsing's deprecation notices are UserWarnings too). So ours go in front again after each.
They are scoped to those libraries' modules and to deprecation notices; every other warning,
and every warning of our own code (actions, channels, rasa_server), still shows.
"""

from __future__ import annotations

import functools
import warnings
from types import ModuleType

# Modules (and their submodules) whose deprecation notices are not ours to act on.
LIBRARIES = ("rasa", "rasa_sdk", "pkg_resources", "sanic", "sanic_cors", "matplotlib",
             "apscheduler", "sqlalchemy", "tensorflow", "keras", "google", "absl")
_MODULES = r"(%s)(\..*)?$" % "|".join(LIBRARIES)


def _categories() -> tuple:
    try:  # matplotlib's calls of old pyparsing names
        from pyparsing.warnings import PyparsingDeprecationWarning
    except ImportError:
        return (DeprecationWarning, PendingDeprecationWarning)
    return (DeprecationWarning, PendingDeprecationWarning, PyparsingDeprecationWarning)


def _filter() -> None:
    for category in _categories():
        warnings.filterwarnings("ignore", category=category, module=_MODULES)


def install() -> None:
    """Call before importing Rasa (importing it raises some of these notices)."""
    _filter()  # for sanic's own import
    import sanic  # noqa: F401  (its import adds the filter ours must come before)

    _filter()  # in front of sanic's again


def keep_after_rasa_setup(rasa_cli: ModuleType) -> None:
    """Put our filters in front again once `rasa.__main__` has set up logging and warnings."""
    setup = rasa_cli.configure_logging_and_warnings

    @functools.wraps(setup)
    def setup_then_filter(*args, **kwargs):
        setup(*args, **kwargs)
        _filter()

    rasa_cli.configure_logging_and_warnings = setup_then_filter
