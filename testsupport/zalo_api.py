"""Loopback stand-in for Zalo's OA API and OAuth server, and signed webhook events.

The stand-in runs its own event loop in a background thread, so the bridge under test talks
to it over real HTTP exactly as in production. It behaves like Zalo where the bridge's
correctness depends on it: access tokens are checked (-216 when invalid or expired), and a
refresh token works exactly once (each refresh returns a new pair and kills the old one).

Used by tests/zalo and bench/zalo_bench.py; the fake Rasa is testsupport.fake_rasa.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, List, Optional

import httpx
from aiohttp import web

from channels.zalo.signature import HEADER, sign
from testsupport.loopback import LoopbackServer

APP_ID = "4318123456789012345"
APP_SECRET = "test-app-secret-loopback-only"
OA_SECRET_KEY = "test-oa-secret-key-loopback-only"
OA_ID = "2914567890123456789"
FIRST_ACCESS = "access-0"
FIRST_REFRESH = "refresh-0"


@dataclass
class Sent:
    """One consultation message the bridge sent, as Zalo received it."""

    user_id: str
    message: dict
    at: float = field(default_factory=time.perf_counter)

    @property
    def text(self) -> str:
        return str(self.message.get("text") or "")

    @property
    def buttons(self) -> List[dict]:
        return (self.message.get("attachment") or {}).get("payload", {}).get("buttons") or []


class ZaloStandIn(LoopbackServer):
    """`POST /v3.0/oa/message/cs` and `POST /v4/oa/access_token`, on 127.0.0.1."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: List[Sent] = []
        self.valid_access = {FIRST_ACCESS}
        self.valid_refresh = {FIRST_REFRESH}
        self.refreshes: List[str] = []  # refresh tokens presented, in order
        self.rejected: List[str] = []  # refresh tokens refused (already used or unknown)
        self.refused_users: set = set()  # users outside the consultation window
        self.on_sent: Optional[Callable[[Sent], None]] = None  # called in the server thread
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/v3.0/oa/message/cs", self._message)
        app.router.add_post("/v4/oa/access_token", self._refresh)

    # -- what the tests control --------------------------------------------------------------

    def expire_access_tokens(self) -> None:
        """Every access token issued so far stops working (as after ~25 hours)."""
        with self._lock:
            self.valid_access.clear()

    # -- reading back what the bridge did ----------------------------------------------------

    def sent_to(self, user_id: str) -> List[Sent]:
        with self._lock:
            return [s for s in self.sent if s.user_id == user_id]

    async def wait_sent(self, user_id: str, count: int = 1, timeout: float = 10.0) -> List[Sent]:
        """Wait (without blocking the caller's loop) until `count` messages reached the user."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.sent_to(user_id)
            if len(found) >= count:
                return found
            await asyncio.sleep(0.01)
        raise AssertionError(f"expected {count} message(s) to {user_id}, got "
                             f"{[s.text[:60] for s in self.sent_to(user_id)]}")

    # -- the server side ---------------------------------------------------------------------

    async def _message(self, request: web.Request) -> web.Response:
        body = await request.json()
        user_id = str(body["recipient"]["user_id"])
        with self._lock:
            if request.headers.get("access_token") not in self.valid_access:
                return web.json_response({"error": -216, "message": "Access token is invalid"})
            if user_id in self.refused_users:  # the code is illustrative: any non-zero refuses
                return web.json_response({"error": -213, "message": "User has not interacted "
                                          "with the OA in the allowed period"})
            message = body["message"]
            buttons = ((message.get("attachment") or {}).get("payload") or {}).get("buttons") or []
            if len(str(message.get("text") or "")) > 2000 or len(buttons) > 5:
                # Zalo refuses what is over its limits; it never cuts for us.
                return web.json_response({"error": -201, "message": "Parameters are invalid"})
            sent = Sent(user_id, message)
            self.sent.append(sent)
        if self.on_sent:
            self.on_sent(sent)
        return web.json_response({"error": 0, "message": "Success", "data": {
            "message_id": f"m{next(self._numbers)}", "user_id": user_id}})

    async def _refresh(self, request: web.Request) -> web.Response:
        form = await request.post()
        token = str(form.get("refresh_token"))
        with self._lock:
            self.refreshes.append(token)
            ok = (request.headers.get("secret_key") == APP_SECRET and form.get("app_id") == APP_ID
                  and form.get("grant_type") == "refresh_token" and token in self.valid_refresh)
            if not ok:
                self.rejected.append(token)
                return web.json_response({"error": -14014, "error_name": "Invalid refresh token",
                                          "error_description": "refresh token is invalid"})
            self.valid_refresh.discard(token)  # single use
            number = next(self._numbers)
            access, refresh = f"access-{number}", f"refresh-{number}"
            self.valid_access.add(access)
            self.valid_refresh.add(refresh)
        return web.json_response({"access_token": access, "refresh_token": refresh,
                                  "expires_in": "90000"})


# --- webhook events as Zalo sends them --------------------------------------------------------


def now_ms() -> str:
    return str(int(time.time() * 1000))


def text_event(user_id: str, text: str, msg_id: Optional[str] = None,
               timestamp: Optional[str] = None) -> dict:
    """A citizen's text message (also what a query button press looks like)."""
    return {"app_id": APP_ID, "user_id_by_app": f"a{user_id}", "event_name": "user_send_text",
            "timestamp": timestamp or now_ms(), "sender": {"id": user_id},
            "recipient": {"id": OA_ID},
            "message": {"text": text, "msg_id": msg_id or f"msg-{time.perf_counter_ns()}"}}


def follow_event(user_id: str) -> dict:
    return {"app_id": APP_ID, "oa_id": OA_ID, "user_id_by_app": f"a{user_id}",
            "event_name": "follow", "source": "oa_profile", "timestamp": now_ms(),
            "follower": {"id": user_id}}


def media_event(user_id: str, event_name: str) -> dict:
    return {"app_id": APP_ID, "user_id_by_app": f"a{user_id}", "event_name": event_name,
            "timestamp": now_ms(), "sender": {"id": user_id}, "recipient": {"id": OA_ID},
            "message": {"msg_id": f"msg-{time.perf_counter_ns()}", "attachments": [
                {"type": "image", "payload": {"url": "https://example.zalo.me/x.jpg"}}]}}


def signed(event: dict, secret: str = OA_SECRET_KEY) -> tuple:
    """The raw body and headers Zalo would post for this event."""
    raw = json.dumps(event, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json",
               HEADER: sign(APP_ID, raw, str(event["timestamp"]), secret)}
    return raw, headers


async def post_event(webhook_url: str, event: dict, secret: str = OA_SECRET_KEY,
                     headers: Optional[dict] = None) -> int:
    """POST a signed event (or with the given headers) and return the HTTP status."""
    raw, signed_headers = signed(event, secret)
    async with httpx.AsyncClient() as client:
        reply = await client.post(webhook_url, content=raw,
                                  headers=signed_headers if headers is None else headers)
    return reply.status_code
