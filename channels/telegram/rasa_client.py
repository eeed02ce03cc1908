"""Client for Rasa's REST channel (docs/CONTRACT.md), safe to call from the event loop.

requests is blocking, so each call runs in a dedicated thread pool; the pooled
Session keeps TCP connections to Rasa open between messages. Every failure is turned
into RasaUnavailable so handlers have exactly one error to deal with.

Why not httpx.AsyncClient on the bridge's loop, as the Zalo bridge does: measured with
bench/telegram_bench.py (50 chats x 10 messages, same busy 2-core machine, runs interleaved),
it multiplied the latency the bridge adds (p50 ~50-130 ms -> ~600-800 ms, p95 ~250-330 ms
-> ~2.2 s) and cut throughput from ~43 to ~23 messages/s: the loop that already runs
python-telegram-bot's own httpx calls also had to parse every Rasa answer.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import List

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

logger = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    """Rasa did not answer in time, answered with an error, or answered garbage."""


def _make_session(pool_size: int) -> requests.Session:
    """A session whose pool can hold one connection per worker thread.

    Only connection errors are retried (once): the message never reached Rasa then,
    so retrying cannot make Rasa see it twice. Read errors are never retried."""
    session = requests.Session()
    retry = Retry(total=1, connect=1, read=0, status=0, other=0, allowed_methods=None)
    adapter = HTTPAdapter(pool_connections=1, pool_maxsize=pool_size, max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _valid_messages(body: object) -> List[dict]:
    """Keep only well-formed bot messages; the contract says Rasa answers a JSON list."""
    if not isinstance(body, list):
        raise RasaUnavailable(f"unexpected answer type {type(body).__name__}")
    return [item for item in body if isinstance(item, dict)]


class RasaClient:
    """Sends one citizen message to Rasa and returns Rasa's list of bot messages."""

    def __init__(self, rasa_url: str, connect_timeout: float = 3.0,
                 read_timeout: float = 15.0, workers: int = 64) -> None:
        self.webhook_url = f"{rasa_url.rstrip('/')}/webhooks/rest/webhook"
        self._timeout = (connect_timeout, read_timeout)
        self._session = _make_session(workers)
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rasa")

    def send_blocking(self, sender: str, message: str) -> List[dict]:
        """POST one message; runs in a worker thread, never on the event loop."""
        try:
            reply = self._session.post(
                self.webhook_url, json={"sender": sender, "message": message},
                timeout=self._timeout,
            )
            reply.raise_for_status()
            return _valid_messages(reply.json())
        except (requests.RequestException, ValueError) as exc:
            # ValueError covers invalid JSON; the exception text has no message content.
            raise RasaUnavailable(f"{type(exc).__name__}: {exc}") from exc

    async def send(self, sender: str, message: str) -> List[dict]:
        """Async wrapper: hand the blocking call to the pool so the loop keeps serving chats."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.send_blocking, sender, message)

    def close(self) -> None:
        """Release pooled connections and threads at shutdown."""
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._session.close()
