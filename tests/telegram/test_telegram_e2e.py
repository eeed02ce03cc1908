"""End to end: Telegram stand-in -> bridge -> real Rasa server + action server.

Uses the shared `assistant` fixture (tests/conftest.py, built on scripts/stack.py's
running_assistant()); it fails with "run `make train`" when no model exists."""

from __future__ import annotations

import asyncio

import pytest

from bridge_support import bridge_settings, running_bridge
from testsupport.telegram_api import message_update

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio]


async def test_real_bot_says_police_issue_the_criminal_record_certificate(assistant, telegram_api):
    settings = bridge_settings(telegram_api, assistant.rasa_url, rasa_read_timeout=60.0)
    async with running_bridge(settings):
        telegram_api.push(message_update(telegram_api, 9001, "lam ly lich tu phap o dau"))
        await telegram_api.wait_calls("sendMessage", 9001, timeout=90)
        await asyncio.sleep(1.0)  # Rasa's answer may be several messages
        replies = [c.params["text"] for c in telegram_api.calls_to("sendMessage", 9001)]
    assert any("Công an" in reply for reply in replies), replies
