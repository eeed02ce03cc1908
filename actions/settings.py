"""Settings of the action server, from environment variables with local defaults."""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path
from typing import Set

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def catalog_dir() -> Path:
    """CATALOG_DIR: the folder staff edit (default: catalog/ beside the project)."""
    return Path(os.environ.get("CATALOG_DIR", PROJECT_ROOT / "catalog"))


# Vietnam has one time zone and no daylight saving: the date changes at midnight UTC+7.
VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")
_warned_about: Set[str] = set()


def today() -> dt.date:
    """The date rules are answered for: ASSISTANT_TODAY=YYYY-MM-DD when set (tests, demos, staff
    checking a rule that starts later), else today's date in Vietnam. Read at every call, so a
    rule entered ahead of time applies from its first day without a restart."""
    value = os.environ.get("ASSISTANT_TODAY", "").strip()
    if value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            if value not in _warned_about:
                _warned_about.add(value)
                logger.warning("ASSISTANT_TODAY=%r is not a date (YYYY-MM-DD); using today's date",
                               value)
    return dt.datetime.now(VIETNAM).date()
