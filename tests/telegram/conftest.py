"""Fixtures for the Telegram bridge tests: Bot API stand-in, fake Rasa, running bridge."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import pytest
import pytest_asyncio

HERE = Path(__file__).resolve().parent
for path in (HERE, HERE.parent.parent):  # telegram_standins, and the project root (channels)
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from telegram_standins import TOKEN, BotApiStandIn, FakeRasa  # noqa: E402

from channels.telegram.app import ALLOWED_UPDATES, build_application, set_commands, close_rasa  # noqa: E402
from channels.telegram.config import Settings  # noqa: E402


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "e2e: end-to-end through the real Rasa and action servers (needs make train)")


@pytest.fixture
def telegram_api():
    api = BotApiStandIn().start()
    yield api
    api.stop()


@pytest.fixture
def fake_rasa():
    rasa = FakeRasa().start()
    yield rasa
    rasa.stop()


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


@pytest_asyncio.fixture
async def bridge(telegram_api, fake_rasa):
    async with running_bridge(bridge_settings(telegram_api, fake_rasa.url)) as application:
        yield application
