"""Fixtures for the Telegram bridge tests: Bot API stand-in, fake Rasa, running bridge."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import pytest_asyncio

HERE = Path(__file__).resolve().parent
for path in (HERE, HERE.parent.parent):  # telegram_standins, and the project root (channels)
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from bridge_support import bridge_settings, running_bridge  # noqa: E402
from telegram_standins import BotApiStandIn, FakeRasa  # noqa: E402


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


@pytest_asyncio.fixture
async def bridge(telegram_api, fake_rasa):
    async with running_bridge(bridge_settings(telegram_api, fake_rasa.url)) as application:
        yield application
