"""Telegram update handlers: each one decides what to do with one kind of update.

The shared path is `converse`: ask Rasa (one message at a time per chat, "typing…"
meanwhile) and render the answers. Logs carry hashed chat ids and sizes, never the
citizen's text (that is only logged at DEBUG, for local troubleshooting).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import AsyncIterator, List, Optional

from telegram.constants import ChatAction, ChatType, MessageEntityType, ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import ContextTypes, InvalidCallbackData

from channels.common.rate_limit import RateLimiter, Verdict
from telegram import Message, ReplyParameters, Update

from . import texts
from .config import Settings
from .officer_replies import OfficerReplies
from .rasa_client import RasaClient, RasaUnavailable
from .render import (
    build_keyboard,
    split_text,
    telegram_length,
    title_for_callback,
    to_html,
)
from .state import ChatLocks, chat_hash, sender_id

logger = logging.getLogger(__name__)

BRIDGE_KEY = "bridge"
GREET_PAYLOAD = "/greet"
HELP_PAYLOAD = "/help"
HANDOVER_PAYLOAD = "/canbo"
TYPING_REFRESH_SECONDS = 4.0  # Telegram shows "typing…" for ~5 s per call
TYPING_STOP_GRACE_SECONDS = 1.0
TYPING_DELAY_SECONDS = 0.3  # show "typing…" only when Rasa takes longer than this


@dataclass
class Bridge:
    """Everything the handlers share, stored once in application.bot_data[BRIDGE_KEY]."""

    settings: Settings
    rasa: RasaClient
    rate: RateLimiter
    locks: ChatLocks
    # Officers' replies to handed-over chats (issue #11): which chat each sender id is.
    officer: OfficerReplies = field(default_factory=OfficerReplies)


def bridge_of(context: ContextTypes.DEFAULT_TYPE) -> Bridge:
    return context.bot_data[BRIDGE_KEY]


def log_id(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> str:
    """The only form in which a chat appears in logs."""
    return chat_hash(bridge_of(context).settings.salt, chat_id)


def is_group(message: Optional[Message]) -> bool:
    return bool(message) and message.chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)


# --- sending -----------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def typing_shown(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> AsyncIterator[None]:
    """Keep "typing…" visible while Rasa thinks; a failure here must not stop the answer.

    The loop is stopped with an event rather than cancelled: cancelling a request in
    flight would throw away its pooled HTTP connection to the Bot API."""
    done = asyncio.Event()

    async def keep_typing() -> None:
        # Fast answers need no indicator; skipping it halves Bot API calls per message.
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(done.wait(), TYPING_DELAY_SECONDS)
        while not done.is_set():
            with contextlib.suppress(TelegramError):
                await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(done.wait(), TYPING_REFRESH_SECONDS)

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        done.set()
        await asyncio.wait({task}, timeout=TYPING_STOP_GRACE_SECONDS)
        if not task.done():  # Bot API very slow: do not hold the answer back for it
            task.cancel()


async def send_text(context: ContextTypes.DEFAULT_TYPE, chat_id: int, text: str,
                    reply_markup=None, reply_to: Optional[int] = None) -> None:
    """Send one already-split plain text as escaped HTML, links clickable."""
    await context.bot.send_message(
        chat_id, to_html(text), parse_mode=ParseMode.HTML, reply_markup=reply_markup,
        reply_parameters=ReplyParameters(reply_to, allow_sending_without_reply=True)
        if reply_to else None,
    )


async def send_notice(context: ContextTypes.DEFAULT_TYPE, chat_id: int, text: str) -> None:
    """Our own short notices (apologies, hints); a failure is logged, never raised."""
    try:
        await send_text(context, chat_id, text)
    except TelegramError as exc:
        logger.warning("Notice not delivered to chat=%s: %s", log_id(context, chat_id),
                       type(exc).__name__)


async def send_image(context: ContextTypes.DEFAULT_TYPE, chat_id: int, url: str) -> None:
    """Images by URL; if Telegram cannot fetch it, the citizen still gets the link."""
    try:
        await context.bot.send_photo(chat_id, url)
    except TelegramError as exc:
        logger.info("Image fell back to a link for chat=%s: %s", log_id(context, chat_id),
                    type(exc).__name__)
        await send_text(context, chat_id, url)


async def send_bot_message(context: ContextTypes.DEFAULT_TYPE, chat_id: int, bot_message: dict,
                           reply_to: Optional[int]) -> None:
    """One Rasa message: text chunks, the keyboard on the last chunk, then the image."""
    keyboard = build_keyboard(bot_message.get("buttons") or [])
    chunks = split_text(str(bot_message.get("text") or ""))
    if keyboard and not chunks:
        chunks = [texts.CHOOSE_OPTION]
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        await send_text(context, chat_id, chunk, reply_markup=keyboard if last else None,
                        reply_to=reply_to if index == 0 else None)
    if bot_message.get("image"):
        await send_image(context, chat_id, str(bot_message["image"]))


async def send_answers(context: ContextTypes.DEFAULT_TYPE, chat_id: int, answers: List[dict],
                       reply_to: Optional[int]) -> None:
    """All of Rasa's messages in order; an empty answer still gets a polite reply."""
    shown = [m for m in answers if m.get("text") or m.get("buttons") or m.get("image")]
    if not shown:
        await send_notice(context, chat_id, texts.NO_ANSWER)
        return
    for index, bot_message in enumerate(shown):
        await send_bot_message(context, chat_id, bot_message, reply_to if index == 0 else None)


# --- the conversation path ---------------------------------------------------------------


async def converse(context: ContextTypes.DEFAULT_TYPE, chat_id: int, message: str,
                   reply_to: Optional[int] = None) -> None:
    """Forward one message to Rasa and deliver its answers; Rasa failures end in an apology."""
    bridge = bridge_of(context)
    chat = log_id(context, chat_id)
    async with bridge.locks.hold(chat_id):
        async with typing_shown(context, chat_id):
            try:
                sender = sender_id(bridge.settings.salt, chat_id)
                bridge.officer.seen(sender, chat_id)
                answers = await bridge.rasa.send(sender, message)
            except RasaUnavailable as exc:
                logger.warning("Rasa unavailable for chat=%s: %s", chat, exc)
                await send_notice(context, chat_id, texts.APOLOGY_UNAVAILABLE)
                return
        logger.info("chat=%s in_chars=%d answers=%d", chat, len(message), len(answers))
        await send_answers(context, chat_id, answers, reply_to)


async def admitted(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> bool:
    """Apply the per-chat rate limit; tell the citizen once per window when they hit it."""
    bridge = bridge_of(context)
    verdict = bridge.rate.check(chat_id)
    if verdict is Verdict.ALLOW:
        return True
    logger.info("Rate limit hit by chat=%s (%s)", log_id(context, chat_id), verdict.value)
    if verdict is Verdict.NOTIFY:
        seconds = int(bridge.settings.rate_limit_window)
        await send_notice(context, chat_id, texts.SLOW_DOWN.format(seconds=seconds))
    return False


# --- group chats -------------------------------------------------------------------------


def _mentions_bot(message: Message, username: str) -> bool:
    mentions = message.parse_entities([MessageEntityType.MENTION]).values()
    return any(m.lower() == f"@{username}".lower() for m in mentions)


def _replies_to_bot(message: Message, bot_id: int) -> bool:
    replied = message.reply_to_message
    return bool(replied and replied.from_user and replied.from_user.id == bot_id)


def addressed_text(message: Message, username: str, bot_id: int) -> Optional[str]:
    """The text to answer, or None when a group message is not meant for the bot.

    In groups we answer only an @mention or a reply to one of our messages, and
    strip the mention so Rasa sees just the question."""
    text = message.text or ""
    if not is_group(message):
        return text
    if _mentions_bot(message, username):
        cleaned = " ".join(text.replace(f"@{username}", " ").split())
        return cleaned or None
    if _replies_to_bot(message, bot_id):
        return text
    return None


def _group_reply_to(message: Message) -> Optional[int]:
    """In groups, quote the question so it is clear whom the answer is for."""
    return message.message_id if is_group(message) else None


# --- handlers ----------------------------------------------------------------------------


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start: Rasa greets and shows the main topics as buttons."""
    await _command(update, context, GREET_PAYLOAD)


async def on_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/help and /menu: Rasa shows the main topics as buttons."""
    await _command(update, context, HELP_PAYLOAD)


async def _command(update: Update, context: ContextTypes.DEFAULT_TYPE, payload: str) -> None:
    chat_id = update.effective_chat.id
    if await admitted(context, chat_id):
        await converse(context, chat_id, payload, _group_reply_to(update.effective_message))


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A citizen's question: checks (group, flood, length), then the conversation."""
    message = update.effective_message
    text = addressed_text(message, context.bot.username, context.bot.id)
    if text is None:
        return
    chat_id = message.chat_id
    if not await admitted(context, chat_id):
        return
    logger.debug("chat=%s text=%r", log_id(context, chat_id), text)
    limit = bridge_of(context).settings.max_input_chars
    if telegram_length(text) > limit:
        notice = texts.TOO_LONG.format(length=telegram_length(text), limit=limit)
        await send_notice(context, chat_id, notice)
        return
    await converse(context, chat_id, text, _group_reply_to(message))


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button press: stop the spinner first, then continue the conversation."""
    query = update.callback_query
    chat_id = update.effective_chat.id
    # PTB's callback-data cache gives back the payload; an id it no longer knows arrives as
    # InvalidCallbackData, and then the title is still good input for Rasa's NLU.
    payload = query.data if isinstance(query.data, str) else None
    if isinstance(query.data, InvalidCallbackData):
        payload = title_for_callback(getattr(query.message, "reply_markup", None), query.data)
    await query.answer()
    if payload is None:
        await send_notice(context, chat_id, texts.BUTTON_EXPIRED)
        return
    if await admitted(context, chat_id):
        await converse(context, chat_id, payload)


def media_kind(message: Message) -> str:
    """How to call a non-text message in the polite notice."""
    for attribute, name in texts.MEDIA_KINDS:
        if getattr(message, attribute, None):
            return name
    return texts.MEDIA_FALLBACK


async def on_non_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice, files, locations…: explain we read text only.

    In groups only when it is a reply to the bot, otherwise we would chatter."""
    message = update.effective_message
    if is_group(message) and not _replies_to_bot(message, context.bot.id):
        return
    if await admitted(context, message.chat_id):
        logger.info("Non-text message from chat=%s", log_id(context, message.chat_id))
        await send_notice(context, message.chat_id, texts.TEXT_ONLY.format(kind=media_kind(message)))


async def on_edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Edits are not re-answered (Rasa would see the question twice); say so in private."""
    message = update.edited_message
    if is_group(message) or not message:
        return
    if await admitted(context, message.chat_id):
        await send_notice(context, message.chat_id, texts.EDITED)


async def on_handover(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/canbo asks for an officer: forwarded, the assistant hands the conversation over."""
    message = update.effective_message
    if is_group(message):
        return
    if await admitted(context, message.chat_id):
        await converse(context, message.chat_id, HANDOVER_PAYLOAD)


async def on_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Unknown /commands are not forwarded: Rasa would read them as intent payloads."""
    message = update.effective_message
    if is_group(message):
        return
    if await admitted(context, message.chat_id):
        await send_notice(context, message.chat_id, texts.UNKNOWN_COMMAND)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Last line of defence: log without message content and keep the bridge running."""
    error = context.error
    chat = getattr(getattr(update, "effective_chat", None), "id", None)
    where = log_id(context, chat) if chat is not None else "-"
    if isinstance(error, Forbidden):
        logger.info("chat=%s blocked the bot or removed it: %s", where, error)
        return
    logger.error("Update failed for chat=%s: %s", where, type(error).__name__, exc_info=error)
