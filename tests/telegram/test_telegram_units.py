"""Pure functions of the bridge: settings, rendering, per-chat state."""

from __future__ import annotations

import asyncio

import pytest
from telegram.ext import InvalidCallbackData

from channels.common.rate_limit import RateLimiter, Verdict
from channels.telegram.config import ConfigError, load_settings
from channels.telegram.render import (
    build_keyboard,
    split_text,
    telegram_length,
    title_for_callback,
    to_html,
)
from channels.telegram.state import ChatLocks, chat_hash, sender_id
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

TOKEN_ENV = {"TELEGRAM_BOT_TOKEN": "1:abc"}


def test_token_is_required():
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN"):
        load_settings({})


def test_defaults_are_polling_official_api_local_rasa():
    settings = load_settings(TOKEN_ENV)
    assert settings.mode == "polling"
    assert settings.bot_api_url == "https://api.telegram.org/bot"
    assert settings.rasa_url == "http://localhost:5005"


@pytest.mark.parametrize("value", ["http://10.0.0.5:8081", "http://10.0.0.5:8081/",
                                   "http://10.0.0.5:8081/bot"])
def test_own_bot_api_server(value):
    settings = load_settings({**TOKEN_ENV, "TELEGRAM_BASE_URL": value})
    assert settings.bot_api_url == "http://10.0.0.5:8081/bot"
    assert settings.bot_file_url == "http://10.0.0.5:8081/file/bot"


def test_webhook_mode_needs_https_url():
    with pytest.raises(ConfigError, match="TELEGRAM_WEBHOOK_URL"):
        load_settings({**TOKEN_ENV, "TELEGRAM_MODE": "webhook"})
    with pytest.raises(ConfigError, match="https"):
        load_settings({**TOKEN_ENV, "TELEGRAM_MODE": "webhook",
                       "TELEGRAM_WEBHOOK_URL": "http://x.vn/tg"})
    settings = load_settings({**TOKEN_ENV, "TELEGRAM_MODE": "webhook",
                              "TELEGRAM_WEBHOOK_URL": "https://x.vn/hook/tg"})
    assert settings.webhook_path == "/hook/tg"


def test_bad_number_names_the_variable():
    with pytest.raises(ConfigError, match="TELEGRAM_RATE_LIMIT"):
        load_settings({**TOKEN_ENV, "TELEGRAM_RATE_LIMIT": "many"})


def test_html_is_escaped_and_links_clickable():
    html = to_html("A <b> & B: https://dichvucong.gov.vn/x?a=1&b=2, www.moj.gov.vn.\n- mục")
    assert html == (
        'A &lt;b&gt; &amp; B: <a href="https://dichvucong.gov.vn/x?a=1&amp;b=2">'
        'https://dichvucong.gov.vn/x?a=1&amp;b=2</a>, '
        '<a href="https://www.moj.gov.vn">www.moj.gov.vn</a>.\n• mục')


def test_short_text_is_one_chunk_and_blank_is_none():
    assert split_text("Xin chào\n\nanh/chị") == ["Xin chào\n\nanh/chị"]
    assert split_text("  \n ") == []


def test_split_prefers_paragraphs_then_lines_then_words():
    paragraphs = ["a" * 3000, "b" * 3000]
    assert split_text("\n\n".join(paragraphs)) == paragraphs
    lines = "\n".join(["dòng " * 100] * 20)  # one paragraph, 10,000 chars
    chunks = split_text(lines)
    assert all(telegram_length(to_html(c)) <= 4096 for c in chunks)
    assert "\n".join(chunks).replace(" \n", "\n") == lines.replace(" \n", "\n").strip()
    unbroken = "x" * 9000
    assert "".join(split_text(unbroken)) == unbroken


def test_split_counts_escaping_and_utf16():
    text = "&" * 2000  # escapes to 10,000 characters of HTML
    chunks = split_text(text)
    assert "".join(chunks) == text
    assert all(len(to_html(c)) <= 4096 for c in chunks)
    assert telegram_length("😀") == 2


def test_keyboard_carries_payloads_and_finds_titles_of_unknown_ids():
    payload = '/ask_fee{"procedure":"ly_lich_tu_phap","ghi_chú":"phiếu số 2 cho công dân"}'
    markup = build_keyboard([{"title": "Lệ phí", "payload": payload},
                             {"title": "Cổng DVC", "payload": "https://dichvucong.gov.vn"}])
    fee, link = markup.inline_keyboard[0][0], markup.inline_keyboard[1][0]
    # PTB's callback-data cache swaps the payload for a short id on the way out (app.py).
    assert fee.callback_data == payload
    assert link.url == "https://dichvucong.gov.vn" and link.callback_data is None
    assert build_keyboard([]) is None
    # A pressed id the cache no longer knows: PTB marks it, and the message's keyboard, invalid.
    pressed = InvalidCallbackData("id-from-before")
    shown = InlineKeyboardMarkup([[InlineKeyboardButton("Khác", callback_data=InvalidCallbackData("x"))],
                                  [InlineKeyboardButton("Lệ phí", callback_data=InvalidCallbackData("id-from-before"))]])
    assert title_for_callback(shown, pressed) == "Lệ phí"
    assert title_for_callback(shown, InvalidCallbackData("other")) is None


def test_chat_ids_are_hashed_with_a_key():
    assert chat_hash("k", 42) == chat_hash("k", 42) != chat_hash("other", 42)
    assert sender_id("k", 42) == f"tg-{chat_hash('k', 42)}"  # no raw Telegram id in Rasa


def test_rate_limiter_notifies_once_per_window():
    now = [0.0]
    limiter = RateLimiter(limit=2, window=10, clock=lambda: now[0])
    assert [limiter.check(1) for _ in range(4)] == [
        Verdict.ALLOW, Verdict.ALLOW, Verdict.NOTIFY, Verdict.DROP]
    assert limiter.check(2) is Verdict.ALLOW  # other chats unaffected
    now[0] = 10.0
    assert limiter.check(1) is Verdict.ALLOW


async def test_chat_locks_serialise_one_chat_and_clean_up():
    locks, order = ChatLocks(), []

    async def work(chat, tag, pause):
        async with locks.hold(chat):
            order.append(f"{tag}+")
            await asyncio.sleep(pause)
            order.append(f"{tag}-")

    await asyncio.gather(work(1, "a", 0.05), work(1, "b", 0), work(2, "c", 0))
    assert order.index("a-") < order.index("b+")
    assert order.index("c+") < order.index("a-")  # another chat did not wait
    assert len(locks) == 0
