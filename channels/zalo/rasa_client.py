"""Client for Rasa's REST channel (docs/CONTRACT.md) on the bridge's own event loop.

Every failure becomes RasaUnavailable, so handlers have exactly one error to deal with.
Only connections that could not be opened are retried (httpx's transport does that, with
backoff): the message never reached Rasa then. A read timeout is never retried, because
Rasa may already have processed the message and would see it twice.
"""

from __future__ import annotations

from typing import List

import httpx


class RasaUnavailable(Exception):
    """Rasa did not answer in time, answered with an error, or answered garbage."""


class RasaClient:
    """Sends one citizen message to Rasa and returns Rasa's list of bot messages."""

    def __init__(self, rasa_url: str, connect_timeout: float = 3.0, read_timeout: float = 15.0,
                 connections: int = 64) -> None:
        self.webhook_url = f"{rasa_url.rstrip('/')}/webhooks/rest/webhook"
        self._http = httpx.AsyncClient(
            transport=httpx.AsyncHTTPTransport(retries=1),
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        )

    async def send(self, sender: str, message: str) -> List[dict]:
        try:
            reply = await self._http.post(self.webhook_url,
                                          json={"sender": sender, "message": message})
            reply.raise_for_status()
            body = reply.json()
        except (httpx.HTTPError, ValueError) as exc:
            # ValueError covers invalid JSON; neither text contains the citizen's message.
            raise RasaUnavailable(type(exc).__name__) from exc
        if not isinstance(body, list):
            raise RasaUnavailable(f"unexpected answer type {type(body).__name__}")
        return [item for item in body if isinstance(item, dict)]

    async def close(self) -> None:
        await self._http.aclose()
