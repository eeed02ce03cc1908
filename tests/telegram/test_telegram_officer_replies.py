"""Officers' replies to a handed-over chat (issue #11) reach that chat through the real bridge
and the Bot API stand-in; /canbo is forwarded to the assistant."""

from __future__ import annotations

import pytest

from actions import review_log
from bridge_support import bridge_settings, running_bridge
from channels.telegram.handlers import BRIDGE_KEY
from channels.telegram.state import sender_id
from testsupport.telegram_api import message_update

pytestmark = pytest.mark.asyncio
CHAT, OTHER = 5151, 6262


async def test_canbo_is_forwarded_to_the_assistant(bridge, telegram_api, fake_rasa):
    telegram_api.push(message_update(telegram_api, CHAT, "/canbo"))
    await telegram_api.wait_calls("sendMessage", CHAT)
    assert [c.message for c in fake_rasa.calls] == ["/canbo"]


async def test_officer_replies_reach_the_chat_in_order(telegram_api, fake_rasa, tmp_path,
                                                       monkeypatch):
    db = tmp_path / "review.db"
    monkeypatch.setenv("REVIEW_DB", str(db))
    settings = bridge_settings(telegram_api, fake_rasa.url, officer_reply_seconds=3600)
    async with running_bridge(settings) as application:
        officer = application.bot_data[BRIDGE_KEY].officer
        for chat in (CHAT, OTHER):
            telegram_api.push(message_update(telegram_api, chat, "gặp cán bộ"))
            await telegram_api.wait_calls("sendMessage", chat)
        handover = review_log.record("handover", sender_id("test-salt", CHAT), "gặp cán bộ")
        unseen = review_log.record("handover", "tg-never-seen-here", "gặp cán bộ")
        long_reply = "Dạ. " + "Hồ sơ gồm tờ khai và bản sao giấy tờ. " * 300
        for text in ("<b>Chào</b> anh & chị", long_reply):
            review_log.add_reply(handover, text, "can_bo")
        review_log.add_reply(unseen, "không ai nhận", "can_bo")
        before = len(telegram_api.calls_to("sendMessage", CHAT))
        assert await officer.deliver_once(application.bot) == 2
        sent = telegram_api.calls_to("sendMessage", CHAT)[before:]
        assert "&lt;b&gt;Chào&lt;/b&gt; anh &amp; chị" in sent[0].params["text"]
        assert len(sent) >= 3 and all(len(s.params["text"]) <= 4096 for s in sent)
        assert "Hồ sơ gồm" in sent[-1].params["text"]
        assert len(telegram_api.calls_to("sendMessage", OTHER)) == 1  # nothing for the other chat
        assert await officer.deliver_once(application.bot) == 0  # each reply once
        assert [r["text"] for r in review_log.pending("telegram")] == ["không ai nhận"]
