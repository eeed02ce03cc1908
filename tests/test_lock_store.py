"""The launcher's Redis lock store, shared by two "instances", on a real local Redis.

Two failures a citizen would notice with stock Rasa 3.6 when servers share the lock:
messages of one conversation processed out of order (tickets lost when two servers change
the lock at once), and a message that hangs for a minute when the one before it died with
its server (both tickets expire together while the second one waits)."""

from __future__ import annotations

import asyncio
import tempfile
import threading
import time
from pathlib import Path

import pytest
from rasa.core.lock_store import RedisLockStore

from rasa_server import lock_store
from scripts.scale import LocalRedis
from scripts.stack import free_port


@pytest.fixture(scope="module")
def redis_port():
    with tempfile.TemporaryDirectory(prefix="redis-") as folder:
        redis = LocalRedis(Path(folder), free_port(), Path(folder) / "redis.log").start()
        try:
            yield redis.port
        finally:
            redis.stop()


@pytest.fixture
def instances(redis_port):
    """Two lock stores, as two Rasa servers would have them, with the launcher's fix."""
    lock_store.install()
    return [RedisLockStore(host="127.0.0.1", port=redis_port, db=0, key_prefix="test")
            for _ in range(2)]


def test_tickets_taken_at_once_on_two_instances_are_all_kept(instances):
    conversation, per_thread, threads = f"c-{time.time_ns()}", 20, []
    issued, guard = [], threading.Lock()

    def take(store):
        mine = [store.issue_ticket(conversation, 60) for _ in range(per_thread)]
        with guard:
            issued.extend(mine)

    for store in instances * 4:  # 8 threads, 4 per instance
        threads.append(threading.Thread(target=take, args=(store,)))
        threads[-1].start()
    for thread in threads:
        thread.join()
    kept = [ticket.number for ticket in instances[0].get_lock(conversation).tickets]
    assert len(set(issued)) == len(issued) == 8 * per_thread  # no number given twice
    assert sorted(kept) == sorted(issued)  # no ticket lost


async def test_a_message_waits_for_a_dead_ticket_only_until_it_expires(instances):
    dead, alive = instances
    conversation = f"d-{time.time_ns()}"
    dead.issue_ticket(conversation, 1)  # its server died while processing: never given back

    async def next_message():
        async with alive.lock(conversation, lock_lifetime=1):
            return True

    assert await asyncio.wait_for(next_message(), timeout=20)
    assert alive.get_lock(conversation) is None  # given back and cleaned up


async def test_one_conversation_is_served_one_message_at_a_time(instances):
    conversation, inside, most = f"o-{time.time_ns()}", [0], [0]

    async def message(store):
        async with store.lock(conversation):
            inside[0] += 1
            most[0] = max(most[0], inside[0])
            await asyncio.sleep(0.05)
            inside[0] -= 1

    await asyncio.gather(*(message(instances[n % 2]) for n in range(8)))
    assert most[0] == 1
