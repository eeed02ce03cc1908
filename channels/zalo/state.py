"""Per-citizen bookkeeping of the bridge: hashed ids, seen events, ordered work per citizen.

The per-citizen flood limit is channels/common/rate_limit.py (same rule on both channels).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from collections import OrderedDict, deque
from pathlib import Path
from typing import Awaitable, Callable, Deque, Dict, Optional, Set

from .files import read_json, write_json

logger = logging.getLogger(__name__)


def user_hash(salt: str, user_id: str) -> str:
    """Keyed hash of a Zalo user id: stable, so logs and Rasa trackers can be correlated,
    but not reversible by hashing candidate ids."""
    return hmac.new(salt.encode("utf-8"), user_id.encode("utf-8"), hashlib.sha256).hexdigest()[:20]


def sender_id(salt: str, user_id: str) -> str:
    """Rasa sender for a Zalo user: one conversation per user, no raw Zalo id stored."""
    return f"zl-{user_hash(salt, user_id)}"


class SeenEvents:
    """Bounded memory of processed event ids, so a redelivered event is handled once.

    Saved when the bridge stops and read when it starts, so a quick restart does not
    answer a redelivery again; older events are refused by the replay window anyway."""

    def __init__(self, path: Optional[Path] = None, capacity: int = 10000) -> None:
        self._path, self._capacity = path, capacity
        stored = read_json(path) if path else None
        self._ids: "OrderedDict[str, None]" = OrderedDict.fromkeys(
            str(i) for i in (stored or [])[-capacity:])

    def first_time(self, event_id: str) -> bool:
        """Record the id; False when it was seen before."""
        if event_id in self._ids:
            return False
        self._ids[event_id] = None
        if len(self._ids) > self._capacity:
            self._ids.popitem(last=False)
        return True

    def save(self) -> None:
        if self._path:
            write_json(self._path, list(self._ids))


class UserQueues:
    """One queue and one worker per active citizen: a citizen's events are handled one at
    a time in arrival order (Rasa's tracker expects that), different citizens concurrently.
    A worker ends when its queue is empty, so idle citizens cost nothing."""

    def __init__(self, handle: Callable[[str, dict], Awaitable[None]]) -> None:
        self._handle = handle
        self._queues: Dict[str, Deque[dict]] = {}
        self._workers: Set[asyncio.Task] = set()

    def put(self, user_id: str, event: dict) -> None:
        """Queue an event without waiting (the webhook must answer Zalo at once)."""
        queue = self._queues.get(user_id)
        if queue is not None:
            queue.append(event)
            return
        self._queues[user_id] = deque([event])
        task = asyncio.create_task(self._work(user_id))
        self._workers.add(task)
        task.add_done_callback(self._workers.discard)

    async def _work(self, user_id: str) -> None:
        queue = self._queues[user_id]
        try:
            while queue:
                event = queue.popleft()
                try:
                    await self._handle(user_id, event)
                except Exception:  # one bad event must not stop the citizen's later ones
                    logger.exception("Event %s failed", event.get("event_name"))
        finally:
            self._queues.pop(user_id, None)

    async def drain(self, timeout: float) -> None:
        """At shutdown: let queued work finish for a while, then cancel what is left."""
        if not self._workers:
            return
        _, pending = await asyncio.wait(set(self._workers), timeout=timeout)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    def __len__(self) -> int:
        return len(self._queues)
