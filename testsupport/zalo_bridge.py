"""Running the real Zalo bridge in tests and the benchmark: settings aimed at the stand-ins."""

from __future__ import annotations

import contextlib
from dataclasses import replace

from channels.zalo.app import running
from channels.zalo.config import WEBHOOK_PATH, Settings
from scripts.stack import free_port
from testsupport.zalo_api import APP_ID, APP_SECRET, FIRST_ACCESS, FIRST_REFRESH, OA_SECRET_KEY


def make_settings(zalo_url: str, rasa_url: str, state_dir, **overrides) -> Settings:
    """Settings aimed at the stand-ins: a fresh port, the state in a temporary folder,
    short Rasa timeouts."""
    values = dict(app_id=APP_ID, app_secret=APP_SECRET, oa_secret_key=OA_SECRET_KEY,
                  token_file=state_dir / "token.json", seed_access_token=FIRST_ACCESS,
                  seed_refresh_token=FIRST_REFRESH, api_base=zalo_url, oauth_base=zalo_url,
                  port=free_port(), rasa_url=rasa_url, rasa_connect_timeout=3.0,
                  rasa_read_timeout=5.0, id_salt="test-salt")
    values.update(overrides)
    return Settings(**values)


def webhook_url(settings: Settings) -> str:
    return f"http://127.0.0.1:{settings.port}{WEBHOOK_PATH}"


@contextlib.asynccontextmanager
async def restarted(settings: Settings):
    """The bridge again, as after a restart: same files, a new port."""
    settings = replace(settings, port=free_port())
    async with running(settings) as bridge:
        yield settings, bridge
