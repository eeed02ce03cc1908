"""Rasa's Redis lock store (`lock_store: type: redis`) made safe for several instances.

Rasa keeps one ticket lock per conversation in Redis: a message takes a ticket, waits
until every earlier ticket is done or expired, is processed, then gives its ticket back.
Two things in Rasa 3.6 break that when instances share the lock:

* Every change is GET, change in Python, SET. Two instances that change the same
  conversation's lock at the same moment overwrite each other: a ticket is lost or a
  lock deleted under a waiting message. Here every change is one Redis transaction
  (WATCH/MULTI/EXEC, retried on conflict).
* A waiting message does not renew its own ticket. When the message ahead of it died
  with its instance (kill -9), both tickets expire within the same second, the waiting
  message then polls a lock that no longer holds its ticket, and it is only cancelled by
  Sanic's 60 s response timeout with an empty reply (measured here: every conversation
  whose message was in flight on a killed instance). Here a waiting message keeps its
  ticket alive, so it goes as soon as the dead ticket expires (TICKET_LOCK_LIFETIME).

It also polls every 0.1 s instead of every second: a follow-up sent before the answer
to its question no longer waits a full second after the question is done.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Callable, Optional, Text, Tuple

from rasa.core import lock_store as rasa_lock_store
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LockError, RedisLockStore

POLL_SECONDS = 0.1


def _change(store: RedisLockStore, conversation_id: Text,
            change: Callable[[Optional[TicketLock]], Tuple[Optional[TicketLock], object]]):
    """Apply `change` to the conversation's lock in one Redis transaction; a lock left
    without tickets is deleted. Returns what `change` returned besides the lock."""
    key = store.key_prefix + conversation_id

    def transaction(pipe):
        raw = pipe.get(key)
        lock, result = change(TicketLock.from_dict(json.loads(raw)) if raw else None)
        pipe.multi()
        if lock is not None and lock.tickets:
            pipe.set(key, lock.dumps())
        else:
            pipe.delete(key)
        return result

    return store.red.transaction(transaction, key, value_from_callable=True)


def issue_ticket(self: RedisLockStore, conversation_id: Text,
                 lock_lifetime: float = rasa_lock_store.LOCK_LIFETIME) -> int:
    def add(lock: Optional[TicketLock]):
        lock = lock or TicketLock(conversation_id)
        return lock, lock.issue_ticket(lock_lifetime)

    try:
        return _change(self, conversation_id, add)
    except Exception as error:  # as Rasa's own: any Redis failure is a LockError
        raise LockError(f"Error while acquiring lock. Error:\n{error}") from error


def _keep_alive(self: RedisLockStore, conversation_id: Text, ticket_number: int) -> None:
    def renew(lock: Optional[TicketLock]):
        if lock is not None:
            for ticket in lock.tickets:
                if ticket.number == ticket_number:
                    ticket.expires = max(ticket.expires,
                                         time.time() + rasa_lock_store.LOCK_LIFETIME)
            lock.remove_expired_tickets()
        return lock, None

    _change(self, conversation_id, renew)


async def _acquire_lock(self: RedisLockStore, conversation_id: Text, ticket: int,
                        wait_time_in_seconds: float) -> TicketLock:
    wait = min(wait_time_in_seconds, POLL_SECONDS)
    while True:
        lock = self.get_lock(conversation_id)
        if not lock:  # gone (e.g. Redis restarted meanwhile): as Rasa, give up
            break
        if not lock.is_locked(ticket):
            return lock
        await asyncio.sleep(wait)
        _keep_alive(self, conversation_id, ticket)
    raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")


def cleanup(self: RedisLockStore, conversation_id: Text, ticket_number: int) -> None:
    def give_back(lock: Optional[TicketLock]):
        if lock is not None:
            lock.remove_ticket_for(ticket_number)
        return lock, None

    _change(self, conversation_id, give_back)


def install() -> None:
    RedisLockStore.issue_ticket = issue_ticket
    RedisLockStore._acquire_lock = _acquire_lock
    RedisLockStore.cleanup = cleanup
