"""Sending consultation messages through the OA's Open API, at a pace Zalo accepts.

Only what is safe is retried, so a citizen never receives the same answer twice:
- a connection that could not be opened (httpx's transport retries those, with backoff);
- HTTP 429, which means Zalo did not take the message (after a pause);
- Zalo's "invalid access token" (-216): refresh once and send again.
A timeout after the request was sent is never retried: Zalo may already have delivered it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Callable, Optional

import httpx

from .tokens import TokenManager, ZaloError, to_int

logger = logging.getLogger(__name__)

SEND_PATH = "/v3.0/oa/message/cs"
INVALID_ACCESS_TOKEN = -216
RATE_LIMITED_PAUSES = (1.0, 2.0, 4.0)


class SendLimiter:
    """Bot-wide token bucket: at most `rate` messages per second to Zalo, bursts of `rate`.

    One OA shares one quota however many citizens are talking, so the limit is global
    (the per-citizen flood limit is a different thing, see handlers.py)."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self._clock = rate, clock
        self._tokens, self._updated = rate, clock()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:  # FIFO: waiting senders keep their order
            while True:
                now = self._clock()
                self._tokens = min(self.rate, self._tokens + (now - self._updated) * self.rate)
                self._updated = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                await asyncio.sleep((1 - self._tokens) / self.rate)


class ZaloClient:
    """POSTs `{"recipient": {"user_id": ...}, "message": ...}` to the consultation API."""

    def __init__(self, http: httpx.AsyncClient, api_base: str, tokens: TokenManager,
                 limiter: SendLimiter) -> None:
        self._http, self._url = http, f"{api_base}{SEND_PATH}"
        self.tokens, self._limiter = tokens, limiter

    async def send(self, user_id: str, message: dict) -> Optional[str]:
        """Send one message; returns Zalo's message id. Raises ZaloError when not delivered."""
        body = {"recipient": {"user_id": user_id}, "message": message}
        token = await self.tokens.access_token()
        answer = await self._post(body, token)
        if to_int(answer.get("error")) == INVALID_ACCESS_TOKEN:
            logger.info("Zalo rejected the access token; refreshing once")
            answer = await self._post(body, await self.tokens.refresh(token))
        code = to_int(answer.get("error"))
        if code:
            raise ZaloError(f"message refused: {answer.get('message') or '-'}", code)
        data = answer.get("data")
        return str(data.get("message_id")) if isinstance(data, dict) else None

    async def _post(self, body: dict, token: str) -> dict:
        attempt = 0
        while True:
            await self._limiter.acquire()
            try:
                reply = await self._http.post(self._url, json=body, headers={"access_token": token})
            except httpx.HTTPError as exc:  # the transport already retried failed connections
                raise ZaloError(f"Zalo API unreachable: {type(exc).__name__}") from exc
            if reply.status_code == 429 and attempt < len(RATE_LIMITED_PAUSES):
                await asyncio.sleep(RATE_LIMITED_PAUSES[attempt])
                attempt += 1
                continue
            try:
                answer = reply.json()
            except ValueError as exc:
                raise ZaloError(f"Zalo API answered HTTP {reply.status_code} without JSON") from exc
            if not isinstance(answer, dict):
                raise ZaloError("Zalo API answered an unexpected JSON value")
            return answer
