"""What every bridge does with officers' replies (issue #11), whatever its chat service.

The staff console queues a reply in the review database's outbox (actions/review_log.py) with
only a keyed hash of the conversation's Rasa sender id. A bridge remembers, in memory, where
each sender id it has forwarded can be answered (a Telegram chat, a Zalo user), and every few
seconds reads the replies whose hash matches one of them, in the order officers wrote them.
Raw chat ids are never written anywhere: a reply for a citizen this process has not seen since
it started waits until the citizen writes again (then it goes out on the next round).

Only active when the review database exists (REVIEW_DB): a bridge run without the console does
nothing here. How a reply is sent (and what a refusal means) is each channel's own: its
`deliver_once`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from typing import Any, Dict, Generic, List, Optional, TypeVar

from actions import review_log

logger = logging.getLogger(__name__)
PREFIX = "Cán bộ trả lời:"

Address = TypeVar("Address")  # where a citizen is answered: a chat id, a user id
Target = TypeVar("Target")  # what sends: the bot, the bridge


class OfficerReplies(Generic[Address, Target]):
    channel = ""  # the outbox's channel column

    def __init__(self, interval: float = 5.0, remember: int = 100_000) -> None:
        self.interval, self.remember = interval, remember
        self._addresses: "OrderedDict[str, Address]" = OrderedDict()  # sender id -> address
        self._hashes: Dict[str, str] = {}  # review hash -> sender id
        self._task: Optional[asyncio.Task] = None

    def seen(self, sender: str, address: Address) -> None:
        """A citizen forwarded to Rasa as `sender`: their replies can now be delivered."""
        self._addresses[sender] = address
        self._addresses.move_to_end(sender)
        while len(self._addresses) > self.remember:
            self._addresses.popitem(last=False)

    def _due(self) -> List[Dict[str, Any]]:
        """The pending replies of citizens this bridge knows, each with its `address` (runs in
        a thread: SQLite)."""
        if not review_log.db_path().exists() or not self._addresses:
            return []
        hashed = set(self._hashes.values())
        unknown = [s for s in self._addresses if s not in hashed]
        if unknown:
            self._hashes.update(review_log.hashes_of(unknown))
        if len(self._hashes) > 2 * self.remember:  # forget the hashes of forgotten citizens
            self._hashes = {h: s for h, s in self._hashes.items() if s in self._addresses}
        due = []
        for row in review_log.pending(self.channel):
            sender = self._hashes.get(row["sender_hash"])
            if sender in self._addresses:
                due.append({**row, "address": self._addresses[sender]})
        return due

    async def due(self) -> List[Dict[str, Any]]:
        """`_due` off the event loop; nothing when the review database cannot be read."""
        try:
            return await asyncio.to_thread(self._due)
        except review_log.ReviewStoreError as error:
            logger.warning("Officer replies unavailable: %s", type(error).__name__)
            return []

    @staticmethod
    async def delivered(reply_id: int) -> None:
        await asyncio.to_thread(review_log.mark_delivered, [reply_id])

    async def deliver_once(self, target: Target) -> int:
        """Send every due reply; returns how many were delivered."""
        raise NotImplementedError

    async def _loop(self, target: Target) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.deliver_once(target)
            except Exception as error:  # noqa: BLE001 - the loop must outlive one bad round
                logger.warning("Officer replies round failed: %s", type(error).__name__)

    def start(self, target: Target) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(target))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
