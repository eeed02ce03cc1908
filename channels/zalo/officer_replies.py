"""Officers' replies to handed-over Zalo conversations (issue #11), delivered in the OA chat.

The staff console queues a reply in the review database's outbox (actions/review_log.py) with
only a keyed hash of the conversation's Rasa sender id (`zl-…`, itself a keyed hash of the Zalo
user id). The bridge remembers, in memory, which Zalo user each sender id it has forwarded
belongs to, and every few seconds sends the replies whose hash matches one of them, in the
order officers wrote them, split to Zalo's 2,000 characters. Raw Zalo ids are never written
anywhere: a reply for a citizen this process has not seen since it started waits until the
citizen writes again (then it goes out on the next round).

Zalo accepts consultation messages only for a while after the citizen's last message; outside
that window it refuses (ZaloError). A refused reply stays queued and that citizen's replies
are tried again after a growing pause (5 s, 10 s, … at most an hour), so a refusal costs one
API call per pause, not one per round; the inbox shows them as not yet delivered. When the
citizen writes again the window reopens, and the pause ends at once.

Only active when the review database exists (REVIEW_DB): a bridge run without the console
does nothing here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Tuple

from actions import review_log

from .render import split_text
from .tokens import ZaloError

if TYPE_CHECKING:  # the bridge imports this module
    from .handlers import Bridge

logger = logging.getLogger(__name__)
CHANNEL = "zalo"
PREFIX = "Cán bộ trả lời:"
MAX_PAUSE = 3600.0


class OfficerReplies:
    def __init__(self, interval: float = 5.0, remember: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.interval, self.remember, self._clock = interval, remember, clock
        self._users: "OrderedDict[str, str]" = OrderedDict()  # Rasa sender id -> Zalo user id
        self._hashes: Dict[str, str] = {}  # review hash -> Rasa sender id
        self._retry: Dict[str, Tuple[float, float]] = {}  # Zalo user -> (not before, pause)
        self._progress: Dict[int, int] = {}  # outbox id -> parts already sent
        self._task: Optional[asyncio.Task] = None

    def seen(self, sender: str, user_id: str) -> None:
        """A citizen forwarded to Rasa as `sender`: their replies can now be delivered."""
        self._users[sender] = user_id
        self._users.move_to_end(sender)
        self._retry.pop(user_id, None)  # they just wrote: Zalo's window is open again
        while len(self._users) > self.remember:
            self._users.popitem(last=False)

    def _due(self) -> List[dict]:
        """The pending replies of citizens this bridge knows (runs in a thread: SQLite)."""
        if not review_log.db_path().exists() or not self._users:
            return []
        hashed = set(self._hashes.values())
        unknown = [s for s in self._users if s not in hashed]
        if unknown:
            self._hashes.update(review_log.hashes_of(unknown))
        if len(self._hashes) > 2 * self.remember:  # forget the hashes of forgotten citizens
            self._hashes = {h: s for h, s in self._hashes.items() if s in self._users}
        due = []
        for row in review_log.pending(CHANNEL):
            sender = self._hashes.get(row["sender_hash"])
            if sender in self._users:
                due.append({**row, "user_id": self._users[sender]})
        return due

    def _waiting(self, user_id: str) -> bool:
        not_before, _ = self._retry.get(user_id, (0.0, 0.0))
        return self._clock() < not_before

    def _refused(self, user_id: str) -> None:
        _, pause = self._retry.get(user_id, (0.0, 0.0))
        pause = min(MAX_PAUSE, max(self.interval, pause * 2))
        self._retry[user_id] = (self._clock() + pause, pause)

    async def deliver_once(self, bridge: "Bridge") -> int:
        """Send every due reply; returns how many were delivered."""
        try:
            due = await asyncio.to_thread(self._due)
        except review_log.ReviewStoreError as error:
            logger.warning("Officer replies unavailable: %s", type(error).__name__)
            return 0
        delivered, blocked = 0, set()
        for row in due:
            user_id = row["user_id"]
            if user_id in blocked or self._waiting(user_id):
                blocked.add(user_id)  # keep the order: this citizen's later replies wait too
                continue
            parts = split_text(f"{PREFIX}\n{row['text']}")
            try:
                # Part after part; a refusal mid-way resumes at the first part not sent, so
                # the citizen never reads a part twice.
                for index in range(self._progress.get(row["id"], 0), len(parts)):
                    await bridge.zalo.send(user_id, {"text": parts[index]})
                    self._progress[row["id"]] = index + 1
            except ZaloError as error:
                logger.warning("Officer reply %s not delivered to user=%s: %s", row["id"],
                               bridge.log_id(user_id), error)
                self._refused(user_id)
                blocked.add(user_id)
                continue
            self._retry.pop(user_id, None)
            self._progress.pop(row["id"], None)
            await asyncio.to_thread(review_log.mark_delivered, [row["id"]])
            delivered += 1
        if delivered:
            logger.info("Delivered %d officer replies", delivered)
        return delivered

    async def _loop(self, bridge: "Bridge") -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.deliver_once(bridge)
            except Exception as error:  # noqa: BLE001 - the loop must outlive one bad round
                logger.warning("Officer replies round failed: %s", type(error).__name__)

    def start(self, bridge: "Bridge") -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(bridge))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
