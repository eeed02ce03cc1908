"""Settings of the Zalo bridge, read once from the environment.

Everything the department may need to change lives here, so the rest of the bridge never
touches os.environ (easier to test, one place to document: README.md lists every variable).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

from channels.common.config import ConfigError, number

OFFICIAL_API = "https://openapi.zalo.me"
OFFICIAL_OAUTH = "https://oauth.zaloapp.com"
WEBHOOK_PATH = "/zalo/webhook"
DEFAULT_TOKEN_FILE = "var/zalo/token.json"


@dataclass(frozen=True)
class Settings:
    """Immutable bridge settings; see README.md for the matching variables."""

    app_id: str
    app_secret: str
    oa_secret_key: str
    token_file: Path = Path(DEFAULT_TOKEN_FILE)
    seed_access_token: str = ""
    seed_refresh_token: str = ""
    api_base: str = OFFICIAL_API
    oauth_base: str = OFFICIAL_OAUTH
    host: str = "127.0.0.1"
    port: int = 8090
    rasa_url: str = "http://localhost:5005"
    rasa_connect_timeout: float = 3.0
    rasa_read_timeout: float = 15.0
    zalo_timeout: float = 10.0
    replay_window: float = 300.0
    refresh_margin: float = 600.0
    send_rate: float = 20.0
    rate_limit_messages: int = 10
    rate_limit_window: float = 60.0
    max_input_chars: int = 1000
    id_salt: str = ""
    # Seconds between two looks for officers' replies to deliver (issue #11).
    officer_reply_seconds: float = 5.0

    @property
    def salt(self) -> str:
        """Key for hashing user ids; falls back to the OA secret so hashes are never unkeyed."""
        return self.id_salt or self.oa_secret_key

    @property
    def state_dir(self) -> Path:
        """Runtime state (button ids, seen events) lives next to the token file."""
        return self.token_file.parent


def _base(env: Mapping[str, str], name: str, default: str) -> str:
    return (env.get(name, "").strip() or default).rstrip("/")


def _required(env: Mapping[str, str], name: str, hint: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ConfigError(f"{name} is required ({hint})")
    return value


def load_settings(env: Optional[Mapping[str, str]] = None) -> Settings:
    """Build Settings from the environment; raise ConfigError with a readable reason.

    The tokens are not required here: after the first start they live in the token file
    (TokenStore checks that one of the two sources has them)."""
    env = os.environ if env is None else env
    return Settings(
        app_id=_required(env, "ZALO_APP_ID", "the app's ID on developers.zalo.me"),
        app_secret=_required(env, "ZALO_APP_SECRET", "the app's secret key on developers.zalo.me"),
        oa_secret_key=_required(env, "ZALO_OA_SECRET_KEY",
                                "the OA secret key of the app's Webhook page"),
        token_file=Path(env.get("ZALO_TOKEN_FILE", "").strip() or DEFAULT_TOKEN_FILE),
        seed_access_token=env.get("ZALO_ACCESS_TOKEN", "").strip(),
        seed_refresh_token=env.get("ZALO_REFRESH_TOKEN", "").strip(),
        api_base=_base(env, "ZALO_API_BASE", OFFICIAL_API),
        oauth_base=_base(env, "ZALO_OAUTH_BASE", OFFICIAL_OAUTH),
        host=env.get("ZALO_HOST", "").strip() or "127.0.0.1",
        port=number(env, "ZALO_PORT", 8090, int),
        rasa_url=_base(env, "RASA_URL", "http://localhost:5005"),
        rasa_connect_timeout=number(env, "RASA_CONNECT_TIMEOUT", 3.0),
        rasa_read_timeout=number(env, "RASA_TIMEOUT", 15.0),
        zalo_timeout=number(env, "ZALO_TIMEOUT", 10.0),
        replay_window=number(env, "ZALO_REPLAY_WINDOW", 300.0),
        send_rate=number(env, "ZALO_SEND_RATE", 20.0),
        rate_limit_messages=number(env, "ZALO_RATE_LIMIT", 10, int),
        rate_limit_window=number(env, "ZALO_RATE_WINDOW", 60.0),
        max_input_chars=number(env, "ZALO_MAX_INPUT_CHARS", 1000, int),
        id_salt=env.get("ZALO_ID_SALT", "").strip(),
        officer_reply_seconds=number(env, "ZALO_OFFICER_REPLY_SECONDS", 5.0),
    )
