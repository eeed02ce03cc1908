"""`python -m channels.telegram`: start the Telegram bridge with settings from the environment."""

from __future__ import annotations

import logging
import os
import sys

from .app import run
from .config import ConfigError, load_settings


def configure_logging() -> None:
    """INFO by default (LOG_LEVEL to change). httpx is held at WARNING because its INFO
    lines contain request URLs, and Bot API URLs contain the bot token."""
    level = os.environ.get("LOG_LEVEL", "INFO").upper()
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main() -> int:
    configure_logging()
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"telegram bridge: {exc}", file=sys.stderr)
        return 2
    run(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
