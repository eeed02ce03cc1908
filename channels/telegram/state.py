"""Per-chat bookkeeping kept in application.bot_data (never in module globals)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import time
from collections import deque
from enum import Enum
from typing import AsyncIterator, Callable, Deque, Dict, List


def chat_hash(salt: str, chat_id: int) -> str:
    """Keyed hash of a chat id: stable, so logs and Rasa trackers can be correlated,
    but not reversible by hashing every possible id (chat ids are small numbers)."""
    digest = hmac.new(salt.encode("utf-8"), str(chat_id).encode("ascii"), hashlib.sha256)
    return digest.hexdigest()[:20]


def sender_id(salt: str, chat_id: int) -> str:
    """Rasa sender for a chat: one conversation per chat, no raw Telegram id stored."""
    return f"tg-{chat_hash(salt, chat_id)}"


class Verdict(Enum):
    ALLOW = "allow"
    NOTIFY = "notify"  # over the limit: drop, and tell the citizen once per window
    DROP = "drop"  # over the limit and already told: drop silently


class RateLimiter:
    """Sliding-window limit per chat, so one chat's flood cannot starve the others."""

    def __init__(self, limit: int, window: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self._clock = limit, window, clock
        self._hits: Dict[int, Deque[float]] = {}
        self._notified: Dict[int, float] = {}

    def check(self, chat_id: int) -> Verdict:
        """Record one incoming message and say whether it may be processed."""
        now = self._clock()
        hits = self._hits.setdefault(chat_id, deque())
        while hits and now - hits[0] >= self.window:
            hits.popleft()
        if len(hits) < self.limit:
            hits.append(now)
            self._forget_idle(now)
            return Verdict.ALLOW
        if now - self._notified.get(chat_id, -self.window) >= self.window:
            self._notified[chat_id] = now
            return Verdict.NOTIFY
        return Verdict.DROP

    def _forget_idle(self, now: float) -> None:
        """Drop chats idle for a whole window so memory stays bounded on a busy bot."""
        if len(self._hits) < 10000:
            return
        idle: List[int] = [c for c, h in self._hits.items() if not h or now - h[-1] >= self.window]
        for chat_id in idle:
            self._hits.pop(chat_id, None)
            self._notified.pop(chat_id, None)


class ChatLocks:
    """One lock per active chat: a chat's messages reach Rasa one at a time and in
    order (Rasa's tracker expects that), while different chats run concurrently."""

    def __init__(self) -> None:
        self._locks: Dict[int, List] = {}  # chat_id -> [lock, holders+waiters]

    @contextlib.asynccontextmanager
    async def hold(self, chat_id: int) -> AsyncIterator[None]:
        entry = self._locks.setdefault(chat_id, [asyncio.Lock(), 0])
        entry[1] += 1
        try:
            async with entry[0]:
                yield
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                self._locks.pop(chat_id, None)

    def __len__(self) -> int:
        return len(self._locks)
