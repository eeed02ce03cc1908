"""Running the real bridge in tests: settings for the stand-ins and a started Application."""

from __future__ import annotations

import contextlib

from channels.telegram.app import ALLOWED_UPDATES, build_application, close_rasa, set_commands
from channels.telegram.config import Settings
from testsupport.telegram_api import TOKEN, BotApiStandIn


def bridge_settings(api: BotApiStandIn, rasa_url: str, **overrides) -> Settings:
    """Test settings: short Rasa timeout so 'Rasa down' tests are quick."""
    values = dict(token=TOKEN, base_url=api.url, rasa_url=rasa_url, rasa_read_timeout=5.0,
                  rasa_connect_timeout=1.0, id_salt="test-salt")
    values.update(overrides)
    return Settings(**values)


@contextlib.asynccontextmanager
async def running_bridge(settings: Settings):
    """The real Application, long polling the stand-in, as run_polling would run it."""
    application = build_application(settings)
    async with application:
        await set_commands(application)
        await application.start()
        await application.updater.start_polling(
            poll_interval=0.0, timeout=1, allowed_updates=ALLOWED_UPDATES)
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()
            await close_rasa(application)
