"""Per-chat bookkeeping kept in application.bot_data (never in module globals). The flood
limit per chat is channels/common/rate_limit.py (same rule on Telegram and Zalo)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
from typing import AsyncIterator, Dict, List


def chat_hash(salt: str, chat_id: int) -> str:
    """Keyed hash of a chat id: stable, so logs and Rasa trackers can be correlated,
    but not reversible by hashing every possible id (chat ids are small numbers)."""
    digest = hmac.new(salt.encode("utf-8"), str(chat_id).encode("ascii"), hashlib.sha256)
    return digest.hexdigest()[:20]


def sender_id(salt: str, chat_id: int) -> str:
    """Rasa sender for a chat: one conversation per chat, no raw Telegram id stored."""
    return f"tg-{chat_hash(salt, chat_id)}"


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
