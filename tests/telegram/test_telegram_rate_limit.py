"""A burst of citizens through the real bridge: answered at a pace Telegram accepts.

Telegram throttles a bot that sends more than about 30 messages per second (429 Too Many
Requests, for seconds to minutes). The bridge's AIORateLimiter queues the answers of a
burst instead. Checked against the loopback Bot API stand-in: every chat answered once,
never faster than the limit allows, and a 429 that still happens is retried."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from bridge_support import bridge_settings, running_bridge
from testsupport.telegram_api import message_update

pytestmark = pytest.mark.asyncio
RATE = 10  # calls per second in this test (25 in production): a burst of 40 spans seconds
CHATS = 40


def most_in_one_second(times) -> int:
    times = sorted(times)
    return max((sum(1 for t in times[i:] if t - start < 1.0) for i, start in enumerate(times)),
               default=0)


async def test_a_burst_is_paced_and_every_chat_answered_once(telegram_api, fake_rasa):
    settings = bridge_settings(telegram_api, fake_rasa.url, send_rate=RATE)
    async with running_bridge(settings):
        first = 7000
        for chat in range(first, first + CHATS):  # all at the same moment
            telegram_api.push(message_update(telegram_api, chat, "lệ phí lý lịch tư pháp"))
        await telegram_api.wait_calls("sendMessage", count=CHATS, timeout=60)
        await asyncio.sleep(0.3)  # a duplicate would show up now
    sent = telegram_api.calls_to("sendMessage")
    answered = Counter(call.params["chat_id"] for call in sent)
    assert set(answered) == set(range(first, first + CHATS))
    assert set(answered.values()) == {1}, "a chat was answered twice"
    # aiolimiter is a leaky bucket of RATE: a full bucket, then RATE per second.
    # Only what the bot sends is paced: polling for updates (getUpdates) is not a send.
    calls = [c.at for c in telegram_api.calls
             if c.method not in ("setMyCommands", "getUpdates", "getMe", "deleteWebhook")]
    assert most_in_one_second(calls) <= 2 * RATE
    assert max(calls) - min(calls) >= (len(calls) - 2 * RATE) / RATE


async def test_a_throttled_answer_is_retried(telegram_api, fake_rasa):
    telegram_api.flood["sendMessage"] = 1  # Telegram says "retry after 1 s" once
    async with running_bridge(bridge_settings(telegram_api, fake_rasa.url)):
        telegram_api.push(message_update(telegram_api, 7100, "lệ phí lý lịch tư pháp"))
        first, retry = await telegram_api.wait_calls("sendMessage", 7100, count=2, timeout=15)
    assert retry.params["text"] == first.params["text"]
    assert retry.at - first.at >= 1.0  # waited as told
