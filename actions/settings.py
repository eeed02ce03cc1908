"""Settings of the action server, from environment variables with local defaults."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def catalog_dir() -> Path:
    """CATALOG_DIR: the folder staff edit (default: catalog/ beside the project)."""
    return Path(os.environ.get("CATALOG_DIR", PROJECT_ROOT / "catalog"))
