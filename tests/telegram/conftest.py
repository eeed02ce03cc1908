"""Fixtures for the Telegram bridge tests: Bot API stand-in, fake Rasa, running bridge."""

from __future__ import annotations

import pytest
import pytest_asyncio

from bridge_support import bridge_settings, running_bridge
from testsupport.fake_rasa import FakeRasa, demo_answers
from testsupport.telegram_api import BotApiStandIn


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
    rasa = FakeRasa(demo_answers).start()
    yield rasa
    rasa.stop()


@pytest_asyncio.fixture
async def bridge(telegram_api, fake_rasa):
    async with running_bridge(bridge_settings(telegram_api, fake_rasa.url)) as application:
        yield application
