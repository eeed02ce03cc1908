"""Officers' replies to handed-over Zalo conversations (issue #11), delivered in the OA chat.

What is shared with the other bridges (the in-memory map from sender id to Zalo user, the
outbox read by keyed hash, the delivery loop) is channels/common/officer_replies.py. The Rasa
sender id (`zl-…`) is itself a keyed hash of the Zalo user id. Replies are split to Zalo's
2,000 characters.

Zalo accepts consultation messages only for a while after the citizen's last message; outside
that window it refuses (ZaloError). A refused reply stays queued and that citizen's replies
are tried again after a growing pause (5 s, 10 s, … at most an hour), so a refusal costs one
API call per pause, not one per round; the inbox shows them as not yet delivered. When the
citizen writes again the window reopens, and the pause ends at once.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Callable, Dict, Tuple

from channels.common import officer_replies as common

from .render import split_text
from .tokens import ZaloError

if TYPE_CHECKING:  # the bridge imports this module
    from .handlers import Bridge

logger = logging.getLogger(__name__)
MAX_PAUSE = 3600.0


class OfficerReplies(common.OfficerReplies[str, "Bridge"]):
    channel = "zalo"

    def __init__(self, interval: float = 5.0, remember: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(interval, remember)
        self._clock = clock
        self._retry: Dict[str, Tuple[float, float]] = {}  # Zalo user -> (not before, pause)
        self._progress: Dict[int, int] = {}  # outbox id -> parts already sent

    def seen(self, sender: str, address: str) -> None:
        super().seen(sender, address)
        self._retry.pop(address, None)  # they just wrote: Zalo's window is open again

    def _waiting(self, user_id: str) -> bool:
        not_before, _ = self._retry.get(user_id, (0.0, 0.0))
        return self._clock() < not_before

    def _refused(self, user_id: str) -> None:
        _, pause = self._retry.get(user_id, (0.0, 0.0))
        pause = min(MAX_PAUSE, max(self.interval, pause * 2))
        self._retry[user_id] = (self._clock() + pause, pause)

    async def deliver_once(self, bridge: "Bridge") -> int:
        delivered, blocked = 0, set()
        for row in await self.due():
            user_id = row["address"]
            if user_id in blocked or self._waiting(user_id):
                blocked.add(user_id)  # keep the order: this citizen's later replies wait too
                continue
            parts = split_text(f"{common.PREFIX}\n{row['text']}")
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
            await self.delivered(row["id"])
            delivered += 1
        if delivered:
            logger.info("Delivered %d officer replies", delivered)
        return delivered
