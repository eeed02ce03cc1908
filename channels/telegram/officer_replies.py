"""Officers' replies to handed-over conversations (issue #11), delivered in the Telegram chat.

What is shared with the other bridges (the in-memory map from sender id to chat, the outbox
read by keyed hash, the delivery loop) is channels/common/officer_replies.py. Here: each reply
is sent split to Telegram's length, in order; a chat whose reply Telegram refuses keeps its
later replies queued behind it until the next round.
"""

from __future__ import annotations

import logging

from telegram.constants import ParseMode
from telegram.error import TelegramError

from channels.common import officer_replies as common
from telegram import Bot

from .render import split_text, to_html

logger = logging.getLogger(__name__)


class OfficerReplies(common.OfficerReplies[int, Bot]):
    channel = "telegram"

    async def deliver_once(self, bot: Bot) -> int:
        delivered, failed = 0, set()
        for row in await self.due():
            chat_id = row["address"]
            if chat_id in failed:
                continue  # keep the order: this chat's next replies wait for the failed one
            try:
                for chunk in split_text(f"{common.PREFIX}\n{row['text']}"):
                    await bot.send_message(chat_id, to_html(chunk), parse_mode=ParseMode.HTML)
            except TelegramError as error:
                logger.warning("Officer reply %s not delivered: %s", row["id"],
                               type(error).__name__)
                failed.add(chat_id)
                continue
            await self.delivered(row["id"])
            delivered += 1
        if delivered:
            logger.info("Delivered %d officer replies", delivered)
        return delivered
