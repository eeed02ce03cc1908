"""Loopback stand-in for the Telegram Bot API, updates as Telegram sends them, and the Rasa
answers the bridge tests expect (served by testsupport.fake_rasa.FakeRasa).

The stand-in runs in its own thread (own event loop), so the bridge under test talks to it
over real HTTP exactly as in production, and its own work does not run on the bridge's
event loop (which matters for the benchmark's latency figures).

Used by tests/telegram and bench/telegram_bench.py; the end-to-end test uses the real Rasa.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

from aiohttp import web

from testsupport.loopback import LoopbackServer

TOKEN = "123456:TEST-token-for-loopback-only"
BOT_USER = {
    "id": 123456, "is_bot": True, "first_name": "Trợ lý thủ tục", "username": "thutuc_test_bot",
    "can_join_groups": True, "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
# Form fields PTB sends as raw strings (everything else is JSON-encoded).
_RAW_STRING_FIELDS = {"text", "caption", "photo", "action", "parse_mode", "callback_query_id",
                      "url", "secret_token", "description", "short_description"}


@dataclass
class Call:
    """One Bot API request the bridge made, with its decoded parameters."""

    method: str
    params: dict
    at: float = field(default_factory=time.perf_counter)


class BotApiStandIn(LoopbackServer):
    """A minimal Telegram Bot API server: getUpdates long polling, sendMessage & co.

    Tests push updates (as a citizen's client would) and read back the calls the bridge
    made. Thread-safe: the server runs on its own loop in a background thread."""

    def __init__(self, token: str = TOKEN) -> None:
        super().__init__()
        self.token = token
        self.calls: List[Call] = []
        self.delivered_at: Dict[int, float] = {}  # update_id -> time handed to the bridge
        self.fail: Dict[str, str] = {}  # method -> error description to answer with
        # method -> how many of its next calls Telegram throttles (429, retry after 1 s)
        self.flood: Dict[str, int] = {}
        # Called (in the server thread) for each recorded call, e.g. by a benchmark driver.
        self.on_call: Optional[Callable[[Call], None]] = None
        self._lock = threading.Lock()
        self._updates: List[dict] = []
        self._next_update_id = 1
        self._next_message_id = 1000
        self._arrived: Optional[asyncio.Event] = None
        self._closing = False

    # -- lifecycle ------------------------------------------------------------------------

    async def on_start(self) -> None:
        self._arrived = asyncio.Event()

    async def on_stop(self) -> None:
        """Wake parked long polls (the base then closes the site and cancels leftovers)."""
        self._closing = True
        self._arrived.set()

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/bot{token}/{method}", self._handle)

    # -- what a citizen's Telegram client would do ----------------------------------------

    def push(self, update: dict) -> int:
        """Queue an update (without update_id); returns its update_id."""
        with self._lock:
            update = {"update_id": self._next_update_id, **update}
            self._next_update_id += 1
            self._updates.append(update)
        self._loop.call_soon_threadsafe(self._arrived.set)
        return update["update_id"]

    def new_message_id(self) -> int:
        with self._lock:
            self._next_message_id += 1
            return self._next_message_id

    # -- reading back what the bridge did -------------------------------------------------

    def calls_to(self, method: str, chat_id: Optional[int] = None) -> List[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method
                    and (chat_id is None or c.params.get("chat_id") == chat_id)]

    async def wait_calls(self, method: str, chat_id: Optional[int] = None, count: int = 1,
                         timeout: float = 10.0) -> List[Call]:
        """Wait (without blocking the caller's loop) until `count` such calls arrived."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.calls_to(method, chat_id)
            if len(found) >= count:
                return found
            await asyncio.sleep(0.01)
        raise AssertionError(
            f"expected {count} {method} call(s) for chat {chat_id}, got "
            f"{len(self.calls_to(method, chat_id))}: {[c.method for c in self.calls]}")

    # -- the server side --------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401,
                                      "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params = await _decode_params(request)
        if method != "getUpdates":
            call = Call(method, params)
            with self._lock:
                self.calls.append(call)
            if self.on_call:
                self.on_call(call)  # outside the lock: the hook may push() a reply
        if method in self.fail:
            return web.json_response({"ok": False, "error_code": 400,
                                      "description": self.fail[method]}, status=400)
        with self._lock:
            flooded = self.flood.get(method, 0) > 0
            if flooded:
                self.flood[method] -= 1
        if flooded:
            return web.json_response({"ok": False, "error_code": 429,
                                      "description": "Too Many Requests: retry after 1",
                                      "parameters": {"retry_after": 1}}, status=429)
        result = await self._result(method, params)
        return web.json_response({"ok": True, "result": result})

    async def _result(self, method: str, params: dict):
        if method == "getMe":
            return BOT_USER
        if method == "getUpdates":
            return await self._get_updates(params)
        if method in ("sendMessage", "sendPhoto"):
            return self._sent_message(params)
        return True  # sendChatAction, answerCallbackQuery, setMyCommands, deleteWebhook…

    async def _get_updates(self, params: dict) -> List[dict]:
        """Long polling like Telegram: confirm updates below offset, wait for new ones."""
        offset, timeout = int(params.get("offset") or 0), float(params.get("timeout") or 0)
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                batch = self._updates[: int(params.get("limit") or 100)]
                if batch:
                    now = time.perf_counter()
                    for update in batch:
                        self.delivered_at.setdefault(update["update_id"], now)
                    return batch
                self._arrived.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._closing:
                return []
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), remaining)

    def _sent_message(self, params: dict) -> dict:
        message = {
            "message_id": self.new_message_id(), "date": int(time.time()),
            "chat": {"id": params.get("chat_id"), "type": "private"}, "from": BOT_USER,
        }
        if "text" in params:
            message["text"] = params["text"]
        if "photo" in params:
            message["photo"] = [{"file_id": "f1", "file_unique_id": "u1", "width": 1,
                                 "height": 1}]
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message


async def _decode_params(request: web.Request) -> dict:
    """PTB posts form fields: strings raw, other values JSON-encoded."""
    if request.content_type == "application/json":
        return await request.json()
    form = await request.post()
    params = {}
    for key, value in form.items():
        if not isinstance(value, str):
            continue  # uploaded files are not used by the bridge
        if key in _RAW_STRING_FIELDS:
            params[key] = value
        else:
            try:
                params[key] = json.loads(value)
            except ValueError:
                params[key] = value
    return params


# --- updates as Telegram would send them ------------------------------------------------


def _chat(chat_id: int, chat_type: str) -> dict:
    if chat_type == "private":
        return {"id": chat_id, "type": "private", "first_name": "Công dân"}
    return {"id": chat_id, "type": chat_type, "title": "Nhóm hỏi đáp"}


def _user(chat_id: int) -> dict:
    return {"id": abs(chat_id) % 10_000_000 + 1, "is_bot": False, "first_name": "Công dân"}


def message_update(api: BotApiStandIn, chat_id: int, text: Optional[str] = None,
                   chat_type: str = "private", edited: bool = False, **extra) -> dict:
    """An incoming message; commands get their bot_command entity like real clients send."""
    message = {"message_id": api.new_message_id(), "date": int(time.time()),
               "chat": _chat(chat_id, chat_type), "from": _user(chat_id), **extra}
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    if edited:
        message["edit_date"] = int(time.time())
        return {"edited_message": message}
    return {"message": message}


def callback_update(chat_id: int, bot_message: dict, data: str) -> dict:
    """A press on an inline button of a message the bridge sent."""
    message = {**bot_message, "chat": _chat(chat_id, "private")}
    return {"callback_query": {"id": f"cb{time.perf_counter_ns()}", "from": _user(chat_id),
                               "chat_instance": "ci", "message": message, "data": data}}
