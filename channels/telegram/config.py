"""Settings of the Telegram bridge, read once from the environment.

Everything the department may need to change lives here so the rest of the bridge
never touches os.environ (easier to test, one place to document).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional
from urllib.parse import urlsplit

from actions.settings import PROJECT_ROOT
from channels.common.config import ConfigError, number

OFFICIAL_BOT_API = "https://api.telegram.org"
DEFAULT_STATE_FILE = "var/telegram/state.pickle"


@dataclass(frozen=True)
class Settings:
    """Immutable bridge settings; see README.md for the matching variables."""

    token: str
    base_url: str = OFFICIAL_BOT_API
    rasa_url: str = "http://localhost:5005"
    rasa_connect_timeout: float = 3.0
    rasa_read_timeout: float = 15.0
    rasa_workers: int = 64
    mode: str = "polling"
    webhook_url: Optional[str] = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: Optional[str] = None
    rate_limit_messages: int = 10
    rate_limit_window: float = 60.0
    max_input_chars: int = 1000
    id_salt: str = ""
    concurrent_updates: int = 256
    # Bot-wide limit on Bot API calls (Telegram allows about 30 messages/s per bot; more
    # and it answers 429 "Too Many Requests"), and retries of a call Telegram still
    # throttles (after the retry_after it names).
    send_rate: float = 25.0
    send_retries: int = 3
    # Seconds between two looks for officers' replies to deliver (issue #11).
    officer_reply_seconds: float = 5.0
    # Buttons: python-telegram-bot's callback-data cache maps the short ids Telegram carries
    # back to Rasa's payloads. It holds the newest `button_cache_size` keyboards and is kept
    # in `state_file` (None: memory only, forgotten at a restart).
    button_cache_size: int = 20000
    state_file: Optional[Path] = None

    @property
    def bot_api_url(self) -> str:
        """Prefix PTB appends the token to, e.g. https://api.telegram.org/bot<token>."""
        return f"{self.base_url}/bot"

    @property
    def bot_file_url(self) -> str:
        """Prefix for file downloads on the same Bot API server."""
        return f"{self.base_url}/file/bot"

    @property
    def webhook_path(self) -> str:
        """Local path the webhook server listens on: the path of the public URL."""
        path = urlsplit(self.webhook_url or "").path
        return path if path and path != "/" else "/telegram"

    @property
    def salt(self) -> str:
        """Key for hashing chat ids; falls back to the token so hashes are never unkeyed."""
        return self.id_salt or self.token


def _normalise_base_url(value: str) -> str:
    """Accept the server root with or without a trailing '/' or '/bot' (both are common)."""
    value = value.strip().rstrip("/")
    if value.endswith("/bot"):
        value = value[: -len("/bot")]
    return value or OFFICIAL_BOT_API


def _mode(env: Mapping[str, str]) -> str:
    """Polling unless asked otherwise: it needs no public HTTPS address."""
    mode = env.get("TELEGRAM_MODE", "").strip().lower() or "polling"
    if mode not in ("polling", "webhook"):
        raise ConfigError(f"TELEGRAM_MODE must be 'polling' or 'webhook', got {mode!r}")
    return mode


def _webhook_url(env: Mapping[str, str], mode: str) -> Optional[str]:
    """Telegram only delivers webhooks to HTTPS addresses, so check it before starting."""
    url = env.get("TELEGRAM_WEBHOOK_URL", "").strip() or None
    if mode == "webhook":
        if not url:
            raise ConfigError("TELEGRAM_MODE=webhook needs TELEGRAM_WEBHOOK_URL")
        if not url.startswith("https://"):
            raise ConfigError("TELEGRAM_WEBHOOK_URL must be an https:// address")
    return url


def load_settings(env: Optional[Mapping[str, str]] = None) -> Settings:
    """Build Settings from the environment; raise ConfigError with a readable reason."""
    env = os.environ if env is None else env
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
    if not token:
        raise ConfigError("TELEGRAM_BOT_TOKEN is required (get one from @BotFather)")
    mode = _mode(env)
    return Settings(
        token=token,
        base_url=_normalise_base_url(env.get("TELEGRAM_BASE_URL", "") or OFFICIAL_BOT_API),
        rasa_url=(env.get("RASA_URL", "").strip() or "http://localhost:5005").rstrip("/"),
        rasa_connect_timeout=number(env, "RASA_CONNECT_TIMEOUT", 3.0),
        rasa_read_timeout=number(env, "RASA_TIMEOUT", 15.0),
        rasa_workers=number(env, "RASA_WORKERS", 64, int),
        mode=mode,
        webhook_url=_webhook_url(env, mode),
        webhook_listen=env.get("TELEGRAM_WEBHOOK_LISTEN", "").strip() or "127.0.0.1",
        webhook_port=number(env, "TELEGRAM_WEBHOOK_PORT", 8443, int),
        webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET", "").strip() or None,
        rate_limit_messages=number(env, "TELEGRAM_RATE_LIMIT", 10, int),
        rate_limit_window=number(env, "TELEGRAM_RATE_WINDOW", 60.0),
        max_input_chars=number(env, "TELEGRAM_MAX_INPUT_CHARS", 1000, int),
        id_salt=env.get("TELEGRAM_ID_SALT", "").strip(),
        send_rate=number(env, "TELEGRAM_SEND_RATE", 25.0),
        send_retries=number(env, "TELEGRAM_SEND_RETRIES", 3, int),
        officer_reply_seconds=number(env, "TELEGRAM_OFFICER_REPLY_SECONDS", 5.0),
        button_cache_size=number(env, "TELEGRAM_BUTTON_CACHE", 20000, int),
        state_file=PROJECT_ROOT / (env.get("TELEGRAM_STATE_FILE", "").strip() or DEFAULT_STATE_FILE),
    )
