"""Officers' replies to handed-over conversations (issue #11), delivered in the chat.

The staff console queues a reply in the review database's outbox (actions/review_log.py) with
only a keyed hash of the conversation's sender id; raw Telegram chat ids are never stored.
The bridge remembers, in memory, which chat each sender id it has forwarded belongs to, and
every few seconds sends the replies whose hash matches one of them, in the order officers wrote
them, split to Telegram's length. A reply for a chat this process has not seen since it started
waits until the citizen writes again (then it is delivered on the next round).

Only active when the review database exists (REVIEW_DB, default var/review/review.db): a
bridge run without the console does nothing here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from typing import Dict, List, Optional

from telegram.constants import ParseMode
from telegram.error import TelegramError

from actions import review_log
from telegram import Bot

from .render import split_text, to_html

logger = logging.getLogger(__name__)
CHANNEL = "telegram"
PREFIX = "Cán bộ trả lời:"


class OfficerReplies:
    def __init__(self, interval: float = 5.0, remember: int = 100_000) -> None:
        self.interval = interval
        self.remember = remember
        self._chats: "OrderedDict[str, int]" = OrderedDict()  # sender id -> chat id
        self._hashes: Dict[str, str] = {}  # review hash -> sender id
        self._task: Optional[asyncio.Task] = None

    def seen(self, sender: str, chat_id: int) -> None:
        """A chat forwarded to Rasa as `sender`: its replies can now be delivered."""
        self._chats[sender] = chat_id
        self._chats.move_to_end(sender)
        while len(self._chats) > self.remember:
            self._chats.popitem(last=False)

    def _due(self) -> List[dict]:
        """The pending replies of chats this bridge knows (runs in a thread: SQLite)."""
        if not review_log.db_path().exists() or not self._chats:
            return []
        hashed = set(self._hashes.values())
        unknown = [s for s in self._chats if s not in hashed]
        if unknown:
            self._hashes.update(review_log.hashes_of(unknown))
        if len(self._hashes) > 2 * self.remember:  # forget the hashes of forgotten chats
            self._hashes = {h: s for h, s in self._hashes.items() if s in self._chats}
        due = []
        for row in review_log.pending(CHANNEL):
            sender = self._hashes.get(row["sender_hash"])
            if sender in self._chats:
                due.append({**row, "chat_id": self._chats[sender]})
        return due

    async def deliver_once(self, bot: Bot) -> int:
        """Send every due reply; returns how many were delivered."""
        try:
            due = await asyncio.to_thread(self._due)
        except review_log.ReviewStoreError as error:
            logger.warning("Officer replies unavailable: %s", type(error).__name__)
            return 0
        delivered, failed = [], set()
        for row in due:
            if row["chat_id"] in failed:
                continue  # keep the order: this chat's next replies wait for the failed one
            try:
                for chunk in split_text(f"{PREFIX}\n{row['text']}"):
                    await bot.send_message(row["chat_id"], to_html(chunk),
                                           parse_mode=ParseMode.HTML)
            except TelegramError as error:
                logger.warning("Officer reply %s not delivered: %s", row["id"],
                               type(error).__name__)
                failed.add(row["chat_id"])
                continue
            delivered.append(row["id"])
            await asyncio.to_thread(review_log.mark_delivered, [row["id"]])
        if delivered:
            logger.info("Delivered %d officer replies", len(delivered))
        return len(delivered)

    async def _loop(self, bot: Bot) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.deliver_once(bot)
            except Exception as error:  # noqa: BLE001 - the loop must outlive one bad round
                logger.warning("Officer replies round failed: %s", type(error).__name__)

    def start(self, bot: Bot) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(bot))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
