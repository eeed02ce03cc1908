"""The one fake of Rasa's REST channel, for channel tests and channel benchmarks.

A real HTTP server on loopback (aiohttp, keep-alive like Rasa's Sanic server) in its own
thread and event loop, so a bridge or a browser under test talks to it over real HTTP exactly
as to Rasa, and its work never runs on the event loop of the bridge being measured. It answers
POST /webhooks/rest/webhook with `answer(sender, message)`, can be stopped and started again on
the same port ("Rasa is down"), answer slowly (`delay`), and allows the CORS origins in
`allowed_origins` (the widget's page). End-to-end tests use the real Rasa server instead.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterable, List, Optional

from aiohttp import web

WEBHOOK_PATH = "/webhooks/rest/webhook"

Answer = Callable[[str, str], List[dict]]


@dataclass
class RasaCall:
    """One message Rasa answered: who sent what, when it arrived and how long the answer took."""

    sender: str
    message: str
    started: float
    duration: float


def echo(sender: str, message: str) -> List[dict]:
    """One text that names the message, so answers can be matched to questions."""
    return [{"recipient_id": sender, "text": f"echo {message}"}]


class FakeRasa:
    """Rasa's REST webhook on 127.0.0.1; `start()` returns self, `stop()` refuses connections
    (open keep-alive ones included) until `start()` again, on the same port."""

    def __init__(self, answer: Answer = echo, delay: float = 0.0,
                 allowed_origins: Iterable[str] = ()) -> None:
        self.answer, self.delay = answer, delay
        self.allowed_origins = set(allowed_origins)
        # Bodies as they arrive (before answering) and calls once answered, in order.
        self.received: List[dict] = []
        self.calls: List[RasaCall] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.port = 0
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._runner: Optional[web.AppRunner] = None
        self._thread: Optional[threading.Thread] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def messages(self) -> List[str]:
        """The messages received so far, in order."""
        return [body["message"] for body in self.received]

    def start(self) -> "FakeRasa":
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the fake Rasa did not start")
        return self

    def stop(self) -> None:
        """Take Rasa down: connections are refused until start() again."""
        if self._loop and self._loop.is_running():
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop)
            self._thread.join(10)
        self._loop = None

    def _serve(self, ready: threading.Event) -> None:
        self._loop = asyncio.new_event_loop()
        self._loop.run_until_complete(self._start_site())
        ready.set()
        self._loop.run_forever()
        self._loop.close()

    async def _start_site(self) -> None:
        app = web.Application()
        app.router.add_post(WEBHOOK_PATH, self._webhook)
        app.router.add_route("OPTIONS", WEBHOOK_PATH, self._preflight)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        # reuse_address: start again on the same port right after stop().
        site = web.TCPSite(self._runner, "127.0.0.1", self.port, backlog=512,
                           reuse_address=True)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def _shutdown(self) -> None:
        await self._runner.cleanup()
        asyncio.get_running_loop().stop()

    def _cors(self, request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        if origin and origin in self.allowed_origins:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Vary"] = "Origin"
        return response

    async def _preflight(self, request: web.Request) -> web.Response:
        return self._cors(request, web.Response(status=204, headers={
            "Access-Control-Allow-Methods": "POST, OPTIONS",
            "Access-Control-Allow-Headers": "Content-Type"}))

    async def _webhook(self, request: web.Request) -> web.Response:
        started = time.perf_counter()
        body = await request.json()
        self.received.append(body)  # the loop's thread is the only writer
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
            answer = self.answer(body["sender"], body["message"])
        finally:
            self.in_flight -= 1
        self.calls.append(RasaCall(body["sender"], body["message"], started,
                                   time.perf_counter() - started))
        return self._cors(request, web.json_response(
            answer, dumps=lambda value: json.dumps(value, ensure_ascii=False)))
