"""The flood limit per citizen, the same rule on every chat channel (Telegram, Zalo).

A sliding window per chat or user: up to `limit` messages per `window` seconds are processed;
the first one over the limit gets a polite notice, the rest of the window is dropped silently.
"""

from __future__ import annotations

import time
from collections import deque
from enum import Enum
from typing import Callable, Deque, Dict, Hashable, List


class Verdict(Enum):
    ALLOW = "allow"
    NOTIFY = "notify"  # over the limit: drop, and tell the citizen once per window
    DROP = "drop"  # over the limit and already told: drop silently


class RateLimiter:
    """Sliding-window limit per chat, so one chat's flood cannot starve the others."""

    def __init__(self, limit: int, window: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self._clock = limit, window, clock
        self._hits: Dict[Hashable, Deque[float]] = {}
        self._notified: Dict[Hashable, float] = {}

    def check(self, chat_id: Hashable) -> Verdict:
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
        idle: List[Hashable] = [c for c, h in self._hits.items()
                                if not h or now - h[-1] >= self.window]
        for chat_id in idle:
            self._hits.pop(chat_id, None)
            self._notified.pop(chat_id, None)
