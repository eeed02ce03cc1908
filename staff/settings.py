"""Settings of the staff console, read once from the environment (local defaults)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from actions.settings import PROJECT_ROOT


def _path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    path = Path(value) if value else default
    return path if path.is_absolute() else PROJECT_ROOT / path


@dataclass(frozen=True)
class Settings:
    catalog_dir: Path
    db_path: Path
    draft_catalog: Path
    host: str
    port: int
    session_minutes: float
    admin_password: Optional[str]
    preview_token: str
    rasa_url: str
    max_body_bytes: int
    login_max_failures: int
    login_window_seconds: float
    cookie_secure: bool
    stale_days: int
    fault: str  # test-only fault injection, e.g. "crash-after-temp" (see catalog_io.write_files)

    @classmethod
    def from_env(cls) -> "Settings":
        env = os.environ.get
        return cls(
            catalog_dir=_path("CATALOG_DIR", PROJECT_ROOT / "catalog"),
            db_path=_path("STAFF_DB", PROJECT_ROOT / "var/staff/staff.db"),
            draft_catalog=_path("STAFF_DRAFT_CATALOG", PROJECT_ROOT / "var/staff/draft-catalog"),
            host=env("STAFF_HOST", "127.0.0.1"),
            port=int(env("STAFF_PORT", "8081")),
            # Minutes without a request after which a session ends (fractions allowed for tests).
            session_minutes=float(env("STAFF_SESSION_MINUTES", "60")),
            admin_password=env("STAFF_ADMIN_PASSWORD") or None,
            preview_token=env("STAFF_PREVIEW_TOKEN", ""),
            rasa_url=env("RASA_URL", "http://localhost:5005").rstrip("/"),
            max_body_bytes=int(env("STAFF_MAX_BODY_BYTES", str(1024 * 1024))),
            login_max_failures=int(env("STAFF_LOGIN_MAX_FAILURES", "5")),
            login_window_seconds=float(env("STAFF_LOGIN_WINDOW_SECONDS", "300")),
            cookie_secure=env("STAFF_COOKIE_SECURE", "0") == "1",
            stale_days=int(env("STAFF_STALE_DAYS", "180")),
            fault=env("STAFF_FAULT", ""),
        )
