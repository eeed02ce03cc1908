"""Fixtures for the Zalo bridge tests: Zalo stand-in, fake Rasa, a running bridge."""

from __future__ import annotations

import pytest
import pytest_asyncio

from channels.zalo.app import running
from channels.zalo.config import Settings
from testsupport.fake_rasa import FakeRasa, demo_answers
from testsupport.zalo_api import ZaloStandIn
from testsupport.zalo_bridge import make_settings, webhook_url


@pytest.fixture
def zalo_api():
    api = ZaloStandIn().start()
    yield api
    api.stop()


@pytest.fixture
def fake_rasa():
    rasa = FakeRasa(demo_answers).start()
    yield rasa
    rasa.stop()


@pytest.fixture
def settings(zalo_api, fake_rasa, tmp_path) -> Settings:
    return make_settings(zalo_api.url, fake_rasa.url, tmp_path / "zalo")


@pytest_asyncio.fixture
async def bridge(settings):
    async with running(settings) as running_bridge:
        yield running_bridge


@pytest.fixture
def webhook(settings) -> str:
    return webhook_url(settings)
