"""Turn Rasa's plain-text answers into safe Telegram messages.

Rasa texts are plain text (docs/CONTRACT.md). We send them with parse_mode=HTML so
links can be real <a> tags, which means every character coming from the bot must be
escaped first: a stray '<' or '&' in a procedure text would otherwise make Telegram
reject the whole message.
"""

from __future__ import annotations

import html
import re
from typing import Iterable, List, Optional

from telegram.ext import InvalidCallbackData

from channels.common import split
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

TELEGRAM_TEXT_LIMIT = 4096

# Bare http(s) links and www. links; trailing punctuation is not part of the link.
_URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_TRAILING_PUNCT = ".,;:!?)]}»”’"
_BULLET_RE = re.compile(r"^(\s*)- ", re.MULTILINE)


def telegram_length(text: str) -> int:
    """Telegram counts message length in UTF-16 code units (emoji count double)."""
    return len(text.encode("utf-16-le")) // 2


def _split_trailing_punct(url: str):
    """Split 'https://x.vn).' into ('https://x.vn', ').') so the sentence end stays text."""
    stripped = url.rstrip(_TRAILING_PUNCT)
    return stripped, url[len(stripped):]


def _link(url: str) -> str:
    """An escaped, clickable link; www. links get a scheme so Telegram accepts the href."""
    href = url if url.lower().startswith("http") else f"https://{url}"
    return f'<a href="{html.escape(href, quote=True)}">{html.escape(url, quote=False)}</a>'


def to_html(text: str) -> str:
    """Escape a bot text for parse_mode=HTML, make URLs clickable, show '- ' as bullets."""
    text = _BULLET_RE.sub(r"\1• ", text)
    parts: List[str] = []
    position = 0
    for match in _URL_RE.finditer(text):
        url, tail = _split_trailing_punct(match.group(0))
        parts.append(html.escape(text[position:match.start()], quote=False))
        parts.append(_link(url) if url else "")
        parts.append(html.escape(tail, quote=False))
        position = match.end()
    parts.append(html.escape(text[position:], quote=False))
    return "".join(parts)


def _fits(text: str, limit: int) -> bool:
    """Measure the escaped HTML: never shorter than what Telegram counts, so always safe."""
    return telegram_length(to_html(text)) <= limit


def split_text(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> List[str]:
    """Split a bot text into chunks that each fit one Telegram message (channels/common/split.py:
    paragraphs, then lines, sentences, words)."""
    return split.split_text(text, lambda piece: _fits(piece, limit), limit,
                            (split.PARAGRAPHS, split.LINES, split.SENTENCES, split.WORDS))


def _button_title(button: dict) -> str:
    """Telegram rejects empty button texts; fall back to the payload."""
    return str(button.get("title") or button.get("payload") or "…")[:200]


def build_keyboard(buttons: Iterable[dict]) -> Optional[InlineKeyboardMarkup]:
    """Rasa buttons as an inline keyboard, one per row (Vietnamese titles are long).

    The callback data is Rasa's payload itself: python-telegram-bot's callback-data cache
    (app.py) sends Telegram a short id in its place (payloads often exceed Telegram's 64
    bytes) and gives the payload back when the button is pressed, after a restart too.
    A button whose payload is a URL (Rasa's web_url buttons) opens the link instead."""
    rows = []
    for button in buttons or []:
        if not isinstance(button, dict):
            continue
        title, payload = _button_title(button), str(button.get("payload") or "")
        if _URL_RE.fullmatch(payload) and payload.lower().startswith("http"):
            rows.append([InlineKeyboardButton(title, url=payload)])
        elif payload:
            rows.append([InlineKeyboardButton(title, callback_data=payload)])
    return InlineKeyboardMarkup(rows) if rows else None


def title_for_callback(markup: Optional[InlineKeyboardMarkup],
                       unknown: InvalidCallbackData) -> Optional[str]:
    """The title of the pressed button, found in the message's own keyboard, when the cache
    no longer knows its id (older than the cache holds, or sent before a crash)."""
    for row in getattr(markup, "inline_keyboard", None) or ():
        for button in row:
            data = button.callback_data
            if isinstance(data, InvalidCallbackData) and data.callback_data == unknown.callback_data:
                return button.text
    return None
