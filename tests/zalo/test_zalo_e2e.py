"""End to end: signed Zalo event -> bridge -> real Rasa server + action server -> Zalo stand-in.

Uses the shared `assistant` fixture (tests/conftest.py, built on scripts/stack.py's
running_assistant()); it fails with "run `make train`" when no model exists."""

from __future__ import annotations

import asyncio

import pytest

from channels.zalo import texts as zalo_texts
from channels.zalo.app import running
from testsupport.zalo_api import post_event, text_event
from testsupport.zalo_bridge import make_settings, webhook_url

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio]
USER = "8100223344556677889"


async def test_criminal_record_question_names_the_police(assistant, zalo_api, tmp_path):
    settings = make_settings(zalo_api.url, assistant.rasa_url, tmp_path / "zalo",
                             rasa_read_timeout=60.0)
    async with running(settings):
        question = text_event(USER, "lam ly lich tu phap o dau")
        assert await post_event(webhook_url(settings), question) == 200
        await zalo_api.wait_sent(USER, timeout=90)
        await asyncio.sleep(1.0)  # a second message would show up by now
    answer, *more = zalo_api.sent_to(USER)
    assert "Công an" in answer.text, answer.text
    assert len(answer.text) <= 2000
    # One answer; the 👍/👎 buttons (issue #11) are under it when they fit in Zalo's 5
    # buttons per message, else in a message of their own, never a second answer.
    assert [m.text for m in more] in ([], [zalo_texts.RATE_PROMPT])
    rating = answer.buttons[-2:] if not more else more[0].buttons
    assert [b["title"][:1] for b in rating] == ["👍", "👎"]
