"""`python -m channels.zalo`: start the Zalo OA bridge with settings from the environment."""

from __future__ import annotations

import asyncio
import logging
import os
import sys

from .app import serve
from .config import ConfigError, load_settings
from .tokens import ReauthorisationNeeded


def configure_logging() -> None:
    """INFO by default (LOG_LEVEL to change). httpx is held at WARNING: its INFO lines
    show request URLs, which is noise here."""
    level = os.environ.get("LOG_LEVEL", "INFO").upper()
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main() -> int:
    configure_logging()
    try:
        settings = load_settings()
        asyncio.run(serve(settings))
    except (ConfigError, ReauthorisationNeeded) as exc:
        print(f"zalo bridge: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
